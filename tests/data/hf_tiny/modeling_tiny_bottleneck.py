"""A tiny stand-in for Bottleneck T5's modeling code, for offline tests.

It exposes the same interface as thesephist/contra-bottleneck-t5-*: a T5 whose encoder states
are attention-pooled into one unit-norm vector that the decoder cross-attends to;
`forward(..., encode_only=True)` returns `(latent,)`, and a `perturb_vector` attribute, when set,
is added to the pooled latent before decoding. Weights are random: it tests mechanics only.
"""

import torch
import torch.nn.functional as F
from torch import nn
from transformers import T5ForConditionalGeneration
from transformers.modeling_outputs import Seq2SeqLMOutput

# How strongly the unit latent speaks to the decoder: random weights need it loud, so that
# different latents decode to different texts.
MEMORY_SCALE = 64.0


class TinyBottleneckT5(T5ForConditionalGeneration):
    def __init__(self, config):
        super().__init__(config)
        self.pool_query = nn.Parameter(torch.randn(config.d_model) * config.d_model ** -0.5)
        self.perturb_vector = None

    def pool(self, hidden, attention_mask):
        """Encoder states (B, T, d) -> unit latents (B, d), attention with a learned query."""
        scores = hidden @ self.pool_query
        scores = scores.masked_fill(attention_mask == 0, float("-inf"))
        weights = scores.softmax(-1)
        return F.normalize((weights[..., None] * hidden).sum(1), dim=-1)

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None,
                encoder_outputs=None, past_key_values=None, use_cache=None, labels=None,
                encode_only=False, return_dict=None, **kwargs):
        if encoder_outputs is None:
            encoder_outputs = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                           return_dict=True)
        hidden = encoder_outputs[0]
        if attention_mask is None:
            attention_mask = torch.ones(hidden.shape[:2], dtype=torch.long, device=hidden.device)
        latent = self.pool(hidden, attention_mask)
        if encode_only:
            return (latent,)
        if self.perturb_vector is not None:
            latent = latent + self.perturb_vector
        if decoder_input_ids is None and labels is not None:
            decoder_input_ids = self._shift_right(labels)
        memory = latent[:, None, :] * MEMORY_SCALE
        out = self.decoder(input_ids=decoder_input_ids, encoder_hidden_states=memory,
                           past_key_values=past_key_values, use_cache=use_cache,
                           return_dict=True)
        logits = self.lm_head(out.last_hidden_state)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1),
                                   ignore_index=-100)
        return Seq2SeqLMOutput(loss=loss, logits=logits, past_key_values=out.past_key_values,
                               encoder_last_hidden_state=hidden)
