"""Trainers: train_cached (the default: encoder tail + head on the cached pool that feature_cache
writes) and train (head only, fresh samples every step), sharing training_loop, losses and
quick_eval."""
