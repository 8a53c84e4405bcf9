"""Training and validation samples: the data folder (data_root), image operations (image_ops),
simulated prompts (prompt_simulation), multi-instance composites (composites, hair_strands) and the
seeded SampleFactory that combines them (sample_factory); plus the held-out set writers
(make_val_composites, make_foreground_composites)."""
