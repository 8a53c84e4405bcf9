"""SMat assembled: encoder + head. The head is a separate module because it is exported as its own
ONNX graph, so a new prompt on the same image re-runs only the head."""
import torch.nn as nn

from .candidate import CandidateSimilarity
from .decoder import SimilarityGuidedDecoder
from .prompt_encoding import downsample_prompt


class SMatHead(nn.Module):
    def __init__(
        self,
        feat_dim: int = 256,
        mixer_layers: int = 1,
        dense_prompt: bool = True,
        detail_prompt: bool = True,
        prompt_affinity: bool = False,
        prompt_reader: bool = False,
        edge_refiner: int = 0,
    ):
        super().__init__()
        self.candidate = CandidateSimilarity(
            feat_dim,
            mixer_layers=mixer_layers,
            dense_prompt=dense_prompt,
            prompt_affinity=prompt_affinity,
            prompt_reader=prompt_reader,
        )
        self.decoder = SimilarityGuidedDecoder(feat_dim, detail_prompt=detail_prompt, edge_refiner=edge_refiner)

    def forward(self, features, image, prompt_mask, has_prompt):
        weights, similarity, similarity_logit = self.similarity(features, prompt_mask, has_prompt)
        alpha = self.decoder(features, similarity, similarity_logit, weights, image, prompt_mask, has_prompt)
        return alpha, similarity

    def similarity(self, features, prompt_mask, has_prompt):
        """The prompt's per-cell coverage, the similarity map and its logit."""
        weights = downsample_prompt(prompt_mask, features.shape[-2:])
        return (weights, *self.candidate(features, weights, has_prompt))

    def unrefined_logit(self, features, image, prompt_mask, has_prompt):
        """The decoder's alpha logit before the edge refiner (the refiner's training input)."""
        weights, similarity, similarity_logit = self.similarity(features, prompt_mask, has_prompt)
        return self.decoder.unrefined_logit(features, similarity, similarity_logit, weights, image, prompt_mask)


class SMat(nn.Module):
    def __init__(self, encoder: nn.Module, head: SMatHead):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, image, prompt_mask, has_prompt):
        return self.head(self.encoder(image), image, prompt_mask, has_prompt)
