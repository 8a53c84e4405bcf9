"""SMat: unified automatic / interactive matting on a pretrained SAM-distilled TinyViT encoder."""
