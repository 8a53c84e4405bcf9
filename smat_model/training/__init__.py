"""Training, one entry point (`train`, `npm run train -- --stage head|refiner`): the head stage
(train_head: encoder tail + head on the cached pool that feature_cache writes) and the refiner
stage (train_refiner: the edge refiner on crops), both on training_loop, with losses and quick_eval."""
