"""SMat assembled: encoder + head. The head is a separate module because a new prompt on the same
image re-runs only the head; it is exported as two graphs, its similarity stage and its decoder."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .candidate import CandidateSimilarity
from .config import HeadConfig
from .decoder import SimilarityGuidedDecoder
from .prompt_encoding import downsample_prompt, mask_average_pool
from .sam_interaction import SAM_MASK_UPSCALE, SamInteraction


class PromptedSimilarity(nn.Module):
    """The interactive candidate on SAM's pretrained interaction: SAM's sparse prompt tokens plus
    the prompt's mask-average-pooled feature as one more token, updated by the two-way transformer
    against the image tokens; the similarity map is SAM's mask logit at 1/4 of the input.

    The pooled-feature token starts as SAM's padding token (its projection is zero), a token SAM
    was trained to ignore, so training starts at SAM's own behaviour."""

    def __init__(self, dim: int):
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
    """Features + image + prompt -> alpha and the similarity map at the features' resolution.

    The prompt arrives twice: as a mask (`prompt_mask` [B,1,H,W], its coverage of each feature cell
    is what the decoder and the pooled-feature token read) and as SAM's points (`point_coords`
    [B,N,2] in model pixels, `point_labels` [B,N]; `prompt_encoding.sam_points`). `has_prompt` [B]
    is 0 for an automatic matte, whose points are SAM's padding point alone."""

    def __init__(self, config: HeadConfig = None):
        super().__init__()
        self.config = config or HeadConfig()
        self.candidate = CandidateSimilarity(self.config)
        self.prompted = PromptedSimilarity(self.config.feature_dim)
        self.decoder = SimilarityGuidedDecoder(self.config)

    def forward(self, features, image, prompt_mask, has_prompt, point_coords, point_labels):
        similarity, logit, weights = self.similarity(features, prompt_mask, has_prompt, point_coords, point_labels)
        return self.decoder(features, similarity, logit, weights, image, has_prompt), similarity

    def similarity(self, features, prompt_mask, has_prompt, point_coords, point_labels):
        """The similarity map at the features' resolution, its logit at 1/4 of the input (SAM's mask
        resolution) and the prompt's coverage of each feature cell (zero without a prompt), per
        sample: automatic mattes take the saliency candidate (the
        class-token role), prompted ones SAM's interaction. Exported as two graphs, one per
        candidate, so a run computes only its own; both are cheap next to the decoder, and the
        panel shows the logit as a preview before the decoder runs."""
        automatic, automatic_logit = self.automatic_similarity(features)
        prompted, prompted_logit, weights = self.prompted_similarity(features, prompt_mask, point_coords, point_labels)
        has = has_prompt.view(-1, 1, 1, 1)
        return has * prompted + (1 - has) * automatic, has * prompted_logit + (1 - has) * automatic_logit, weights

    def automatic_similarity(self, features):
        similarity, logit = self.candidate(features)
        fine = (features.shape[-2] * SAM_MASK_UPSCALE, features.shape[-1] * SAM_MASK_UPSCALE)
        return similarity, F.interpolate(logit, size=fine, mode="bilinear", align_corners=False)

    def prompted_similarity(self, features, prompt_mask, point_coords, point_labels):
        """SAM's logit, its sigmoid pooled to the feature grid, and the prompt's coverage of each
        feature cell (which the pooled-feature token and the decoder read)."""
        weights = downsample_prompt(prompt_mask, features.shape[-2:])
        logit = self.prompted(features, weights, point_coords, point_labels, int(prompt_mask.shape[-1]))
        return F.adaptive_avg_pool2d(torch.sigmoid(logit), features.shape[-2:]), logit, weights

    def unrefined_logit(self, features, image, prompt_mask, has_prompt, point_coords, point_labels):
        """The decoder's alpha logit before the edge refiner (the refiner's training input)."""
        similarity, logit, weights = self.similarity(features, prompt_mask, has_prompt, point_coords, point_labels)
        return self.decoder.unrefined_logit(features, similarity, logit, weights, image)


class SMat(nn.Module):
    def __init__(self, encoder: nn.Module, head: SMatHead):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, image, prompt_mask, has_prompt, point_coords, point_labels):
        return self.head(self.encoder(image), image, prompt_mask, has_prompt, point_coords, point_labels)
