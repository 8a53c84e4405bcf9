"""SMat assembled: encoder + head. The head is a separate module because it is exported as its own
ONNX graph, so a new prompt on the same image re-runs only the head."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .candidate import CandidateSimilarity
from .decoder import SimilarityGuidedDecoder
from .prompt_encoding import downsample_prompt, mask_average_pool
from .sam_interaction import SamInteraction


class PromptedSimilarity(nn.Module):
    """The interactive candidate on SAM's pretrained interaction: SAM's sparse prompt tokens plus
    the prompt's mask-average-pooled feature as one more token, updated by the two-way transformer
    against the image tokens; the similarity map is SAM's mask logit at 1/4 of the input.

    The pooled-feature token starts as SAM's padding token (its projection is zero), a token SAM
    was trained to ignore, so training starts at SAM's own behaviour."""

    def __init__(self, dim: int = 256):
        super().__init__()
        self.sam = SamInteraction(dim)
        self.pooled_feature = nn.Linear(dim, dim)
        nn.init.zeros_(self.pooled_feature.weight)
        nn.init.zeros_(self.pooled_feature.bias)

    def forward(self, features, prompt_weights, point_coords, point_labels, image_size: int):
        encoder = self.sam.prompt_encoder
        sparse = encoder(point_coords, point_labels, image_size)
        pooled = encoder.not_a_point_embed.weight + self.pooled_feature(mask_average_pool(features, prompt_weights))
        tokens = torch.cat([sparse, pooled.unsqueeze(1)], dim=1)
        return self.sam(features, tokens, prompt_tokens=point_coords.shape[1])


class SMatHead(nn.Module):
    def __init__(
        self,
        feat_dim: int = 256,
        mixer_layers: int = 0,
        dense_prompt: bool = False,
        detail_prompt: bool = False,
        prompt_affinity: bool = True,
        prompt_reader: bool = False,
        edge_refiner: int = 8,
        sam_interaction: bool = True,
    ):
        super().__init__()
        self.candidate = CandidateSimilarity(
            feat_dim,
            mixer_layers=mixer_layers,
            dense_prompt=dense_prompt,
            prompt_affinity=prompt_affinity,
            prompt_reader=prompt_reader,
        )
        self.prompted = PromptedSimilarity(feat_dim) if sam_interaction else None
        self.decoder = SimilarityGuidedDecoder(feat_dim, detail_prompt=detail_prompt, edge_refiner=edge_refiner)

    def forward(self, features, image, prompt_mask, has_prompt, point_coords=None, point_labels=None):
        weights, similarity, similarity_logit = self.similarity(
            features, image, prompt_mask, has_prompt, point_coords, point_labels
        )
        alpha = self.decoder(features, similarity, similarity_logit, weights, image, prompt_mask, has_prompt)
        return alpha, similarity

    def similarity(self, features, image, prompt_mask, has_prompt, point_coords=None, point_labels=None):
        """The prompt's per-cell coverage, the similarity map at the features' resolution and its
        logit (at 1/4 of the input with SAM's interaction, else at the features' resolution).

        Automatic mattes keep the saliency candidate (the class-token role); prompted ones take
        SAM's interaction when the head has it."""
        weights = downsample_prompt(prompt_mask, features.shape[-2:])
        similarity, logit = self.candidate(features, weights, has_prompt)
        if self.prompted is None:
            return weights, similarity, logit
        if point_coords is None or point_labels is None:
            raise ValueError("this head reads the prompts as points too: pass point_coords and point_labels")
        sam_logit = self.prompted(features, weights, point_coords, point_labels, int(image.shape[-1]))
        has = has_prompt.view(-1, 1, 1, 1)
        fine = sam_logit.shape[-2:]
        logit = has * sam_logit + (1 - has) * F.interpolate(logit, size=fine, mode="bilinear", align_corners=False)
        sam_similarity = F.adaptive_avg_pool2d(torch.sigmoid(sam_logit), features.shape[-2:])
        return weights, has * sam_similarity + (1 - has) * similarity, logit

    def unrefined_logit(self, features, image, prompt_mask, has_prompt, point_coords=None, point_labels=None):
        """The decoder's alpha logit before the edge refiner (the refiner's training input)."""
        weights, similarity, similarity_logit = self.similarity(
            features, image, prompt_mask, has_prompt, point_coords, point_labels
        )
        return self.decoder.unrefined_logit(features, similarity, similarity_logit, weights, image, prompt_mask)


class SMat(nn.Module):
    def __init__(self, encoder: nn.Module, head: SMatHead):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, image, prompt_mask, has_prompt, point_coords=None, point_labels=None):
        return self.head(self.encoder(image), image, prompt_mask, has_prompt, point_coords, point_labels)
