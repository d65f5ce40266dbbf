"""The sentence autoencoder network: GRU encoder, unit-norm bottleneck, z-conditioned GRU decoder.

The latent z reaches the decoder three ways: as its initial state, concatenated to every input
embedding and concatenated to every output state before the (tied) output projection. That keeps
the decoder from ignoring z, which a small transformer does when trained on two CPU cores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ... import decoding
from .packed import Product, native_bf16


@dataclass
class ModelConfig:
    """Shape of the network. Saved as `config.json` beside the weights."""

    vocab_size: int = 8000
    emb_dim: int = 256
    enc_hidden: int = 512
    enc_layers: int = 1
    latent_dim: int = 256
    dec_hidden: int = 1024
    dec_layers: int = 1
    dropout: float = 0.1
    max_tokens: int = 64
    pad_id: int = 0
    unk_id: int = 1
    bos_id: int = 2
    eos_id: int = 3

    def to_dict(self) -> dict:
        return asdict(self)

    def check_size(self, max_params: int = 500_000_000) -> None:
        """Raise ValueError for non-positive sizes or a network too big to allocate."""
        sizes = ("vocab_size", "emb_dim", "enc_hidden", "enc_layers", "latent_dim",
                 "dec_hidden", "dec_layers", "max_tokens")
        for name in sizes:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        e, h, d, g = self.emb_dim, self.enc_hidden, self.latent_dim, self.dec_hidden
        approx = (self.vocab_size * e + 6 * h * (e + h) * self.enc_layers + 4 * h * d
                  + d * g * self.dec_layers + 3 * g * (e + d + g) * self.dec_layers
                  + (g + d) * e)
        if approx > max_params:
            raise ValueError(f"the network would have about {approx:,} parameters; "
                             f"the limit is {max_params:,}")

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(**data)


SIDE_BY_SIDE_ROWS = 3
"""See `both_directions`: the row count up to which one product serves both encoder directions."""


def both_directions(weights: dict, kind: str, rows: torch.Tensor) -> torch.Tensor:
    """(2, m, k) bf16 rows, the forward direction's then the backward one's -> each times its
    direction's `kind` ("ih" or "hh") weight plus its bias: (2, m, 3H) float32, the bits of one
    bf16 product and one float32 addition each.

    Up to SIDE_BY_SIDE_ROWS rows it is one product with the two weights side by side (one call,
    the same bytes read), keeping the two diagonal blocks; beyond, where the products are bound
    by arithmetic rather than by reading the weights, one product each (half the arithmetic),
    added into one preallocated result (no stacked copy, smaller temporaries).
    """
    m = rows.shape[1]
    bias = weights[f"b_{kind}"]
    if m <= SIDE_BY_SIDE_ROWS:
        both = weights[f"{kind}_side_by_side"](rows.reshape(2 * m, -1)).view(2, m, 2, -1)
        return torch.add(torch.diagonal(both, dim1=0, dim2=2).permute(2, 0, 1), bias[:, None])
    out = rows.new_empty((2, m, bias.shape[-1]), dtype=torch.float32)
    for direction, product in enumerate(weights[kind]):
        torch.add(product(rows[direction]), bias[direction], out=out[direction])
    return out


def rowwise(fn, x: torch.Tensor) -> torch.Tensor:
    """fn applied to each row of x alone (as a 1-row batch), stacked: a row's result then does
    not depend on the other rows or on how many there are."""
    if x.shape[0] == 1:
        return fn(x)
    return torch.cat([fn(x[i:i + 1]) for i in range(x.shape[0])])


class SentenceAutoencoder(nn.Module):
    """Encoder, bottleneck and decoder with batched, state-cached generation."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.emb_dim, padding_idx=cfg.pad_id)
        self.encoder = nn.GRU(
            cfg.emb_dim, cfg.enc_hidden, cfg.enc_layers, batch_first=True, bidirectional=True,
            dropout=cfg.dropout if cfg.enc_layers > 1 else 0.0,
        )
        self.to_latent = nn.Linear(4 * cfg.enc_hidden, cfg.latent_dim)
        self.init_state = nn.Linear(cfg.latent_dim, cfg.dec_layers * cfg.dec_hidden)
        self.decoder = nn.GRU(
            cfg.emb_dim + cfg.latent_dim, cfg.dec_hidden, cfg.dec_layers, batch_first=True,
            dropout=cfg.dropout if cfg.dec_layers > 1 else 0.0,
        )
        self.out_proj = nn.Linear(cfg.dec_hidden + cfg.latent_dim, cfg.emb_dim)
        self.out_bias = nn.Parameter(torch.zeros(cfg.vocab_size))
        self.drop = nn.Dropout(cfg.dropout)

    # -- encoder ---------------------------------------------------------------------------
    def encode(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) right-padded, lengths (B,) -> unit latents (B, D)."""
        x = self.drop(self.embed(ids))
        if bool((lengths == ids.shape[1]).all()):  # no padding: skip packing (fast path)
            out, h = self.encoder(x)
        else:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                          enforce_sorted=False)
            out, h = self.encoder(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        last = torch.cat([h[-2], h[-1]], dim=-1)
        mask = (torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None])
        mean = (out * mask[..., None]).sum(1) / lengths[:, None].clamp(min=1)
        return F.normalize(self.to_latent(torch.cat([last, mean], dim=-1)), dim=-1)

    @torch.inference_mode()
    def encode_batch(self, batch: list[list[int]]) -> torch.Tensor:
        """Inference encode of id lists -> unit latents (B, D), each row independent of the
        others and of the batch size.

        On CPUs with native bf16 (one-layer encoder): one loop over the padded batch with bf16
        products, whose rows do not depend on the batch (measured), masked so padding changes
        nothing, and the float32 latent map row by row. Otherwise each text alone through
        `encode`: a batched float32 GRU's kernels depend on the batch's size and padding.
        """
        device = self.embed.weight.device
        lengths = torch.tensor([max(len(x), 1) for x in batch], device=device)
        w = self._encoder_weights(device)
        if w is None:
            rows = [self.encode(torch.tensor([x or [self.cfg.eos_id]], device=device),
                                lengths[i:i + 1]) for i, x in enumerate(batch)]
            return torch.cat(rows)
        tokens = torch.full((len(batch), int(lengths.max())), self.cfg.pad_id, dtype=torch.long,
                            device=device)
        for row, seq in enumerate(batch):
            tokens[row, :len(seq)] = torch.tensor(seq or [self.cfg.eos_id], device=device)
        n, t_max = tokens.shape
        hid = w["hidden"]
        # Both directions in one loop: at step t the forward one reads token t and the
        # backward one token t_max - 1 - t, so the gate arithmetic runs on (2, n, ...) stacks.
        in_order = torch.stack([tokens, tokens.flip(1)])  # each direction's reading order
        x = self.embed(in_order).to(torch.bfloat16).view(2, n * t_max, -1)
        gi = both_directions(w, "ih", x).view(2, n, t_max, -1)
        gi_ru, gi_n = gi[..., :2 * hid].unbind(2), gi[..., 2 * hid:].unbind(2)
        steps = torch.arange(t_max, device=device)
        live = torch.stack([steps[:, None] < lengths, steps.flip(0)[:, None] < lengths], 1)
        quiet = int(lengths.min())  # steps where every row of both directions is reading
        h = x.new_zeros((2, n, hid), dtype=torch.float32)
        total = torch.zeros_like(h)
        for t in range(t_max):
            gh = both_directions(w, "hh", h.to(torch.bfloat16))
            gh_ru, gh_n = gh.split(2 * hid, -1)
            reset, update = torch.sigmoid(gi_ru[t] + gh_ru).split(hid, -1)
            cand = torch.tanh(gi_n[t] + reset * gh_n)
            new = cand + update * (h - cand)
            if t < quiet and t_max - 1 - t < quiet:  # the masks would change nothing
                h = new
                total.add_(new)
            else:
                h = torch.where(live[t, ..., None], new, h)
                total.add_(torch.where(live[t, ..., None], new, 0.0))
        feat = torch.cat([h[0], h[1], torch.cat([total[0], total[1]], -1) / lengths[:, None]],
                         dim=-1)
        return F.normalize(rowwise(self.to_latent, feat), dim=-1)

    def _encoder_weights(self, device: torch.device) -> dict | None:
        """bf16 transposed encoder weights for `encode_batch`, cached; None where it uses the
        float32 GRU (no native bf16, or more than one encoder layer)."""
        if self.cfg.enc_layers != 1 or device.type != "cpu" \
                or not native_bf16():
            return None
        g = self.encoder
        params = [g.weight_ih_l0, g.weight_hh_l0, g.weight_ih_l0_reverse, g.weight_hh_l0_reverse]
        key = tuple((p.data_ptr(), p._version) for p in params)
        cache = getattr(self, "_encoder_cache", None)
        if cache is not None and cache[0] == key:
            return cache[1]
        weights = {"hidden": g.hidden_size}
        for kind in ("ih", "hh"):
            forward, backward = (getattr(g, f"weight_{kind}_l0{suffix}").detach().t()
                                 .contiguous().to(torch.bfloat16) for suffix in ("", "_reverse"))
            weights[kind] = (Product(forward), Product(backward))
            weights[f"{kind}_side_by_side"] = Product(torch.cat([forward, backward], 1))
            weights[f"b_{kind}"] = torch.stack([getattr(g, f"bias_{kind}_l0{suffix}").detach()
                                                for suffix in ("", "_reverse")])
        self._encoder_cache = (key, weights)
        return weights

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, inputs: torch.Tensor,
                latent_noise: float = 0.0, toward: torch.Tensor | None = None):
        """Training pass: encode `src`, jitter z on the sphere, teacher-force `inputs` -> logits.

        `latent_noise` is the expected norm of the Gaussian noise added to z before it is
        renormalised (denoising in latent space, which keeps blends smooth). With `toward`
        (B, 1) fractions, it also returns the logits for the same inputs at each clean latent
        mixed in that share with the next sentence's latent in the batch (renormalised linear
        mix): (logits, blend logits).
        """
        z = self.encode(src, src_len)
        mixed = None
        if toward is not None:
            mixed = F.normalize((1 - toward) * z + toward * z.roll(1, 0), dim=-1)
        if latent_noise > 0:
            noise = torch.randn_like(z) * (latent_noise / z.shape[-1] ** 0.5)
            z = F.normalize(z + noise, dim=-1)
        if mixed is None:
            return self.decode_train(z, inputs)
        both = self.decode_train(torch.cat([z, mixed]), torch.cat([inputs, inputs]))
        return both[: z.shape[0]], both[z.shape[0]:]

    # -- decoder ---------------------------------------------------------------------------
    def initial_state(self, z: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.init_state(z))
        return h.view(z.shape[0], self.cfg.dec_layers, self.cfg.dec_hidden).transpose(0, 1)

    def logits(self, out: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Decoder states (B, T, H) and z (B, D) -> vocabulary logits (B, T, V)."""
        zz = z[:, None, :].expand(-1, out.shape[1], -1)
        proj = self.out_proj(self.drop(torch.cat([out, zz], dim=-1)))
        return proj @ self.embed.weight.t() + self.out_bias

    def decode_train(self, z: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher-forced decoding: inputs (B, T) start with BOS -> logits (B, T, V)."""
        x = self.drop(self.embed(inputs))
        x = torch.cat([x, z[:, None, :].expand(-1, x.shape[1], -1)], dim=-1)
        out, _ = self.decoder(x, self.initial_state(z))
        return self.logits(out, z)

    def step(self, z: torch.Tensor, prev: torch.Tensor, h: torch.Tensor):
        """One generation step for a batch: previous ids (B,) -> log-probs (B, V), new state."""
        x = torch.cat([self.embed(prev), z], dim=-1)[:, None, :]
        out, h = self.decoder(x, h)
        return F.log_softmax(self.logits(out, z)[:, 0].float(), dim=-1), h

    def fast_stepper(self, z: torch.Tensor):
        """Inference-only step function with the z-dependent terms computed once.

        Equivalent to `step` for a one-layer decoder, but avoids recomputing the z halves of
        the input and output projections at every step and the per-call overhead of nn.GRU.
        Returns (initial state (B, H), step(prev ids, h) -> (logits (B, V), h)).
        """
        if self.cfg.dec_layers != 1:
            h0 = self.initial_state(z)

            def slow(prev, h):
                logp, h = self.step(z, prev, h)
                return logp, h

            return h0, slow
        w = self._inference_weights(z.device)
        mm_dtype = w["dtype"]
        # The z terms row by row: a float32 product over a batch takes a different kernel
        # from one over a single row, so a batched one would make a row's text depend on
        # its batch. The per-step bf16 products below keep rows apart (measured); on a CPU
        # without bf16 they are float32 ones, and a batch may then move a row's text.
        gz = rowwise(lambda r: F.linear(r, w["w_z"], self.decoder.bias_ih_l0), z)
        oz = rowwise(lambda r: F.linear(r, w["w_oz"], self.out_proj.bias), z)
        b_hh, out_bias, embed = self.decoder.bias_hh_l0, self.out_bias, self.embed.weight

        def mm(bias: torch.Tensor, x: torch.Tensor, weight) -> torch.Tensor:
            if mm_dtype == torch.float32:
                return torch.addmm(bias, x, weight)
            return weight(x.to(mm_dtype)).float() + bias

        table = w.get("gi_table")

        def fast(prev, h):
            # With bf16 weights, the embedding's input-gate products are a table lookup.
            gi = table[prev].float() + gz if table is not None else mm(gz, embed[prev], w["w_e"])
            gh = mm(b_hh, h, w["w_h"])
            i_r, i_u, i_n = gi.chunk(3, 1)
            h_r, h_u, h_n = gh.chunk(3, 1)
            r = torch.sigmoid(i_r + h_r)
            u = torch.sigmoid(i_u + h_u)
            n = torch.tanh(i_n + r * h_n)
            h = n + u * (h - n)
            logits = mm(out_bias, mm(oz, h, w["w_oh"]), w["emb_t"])
            return logits, h

        return rowwise(lambda r: torch.tanh(self.init_state(r)), z), fast

    def _inference_weights(self, device: torch.device) -> dict:
        """Transposed (and, on CPUs with native bf16, bfloat16) decoder weights, cached.

        The cache is keyed on the weights' version counters, so training or loading new
        weights rebuilds it. bf16 halves memory traffic per step; gates stay float32. With
        bf16, the per-step weights are `Product`s (packed once for oneDNN).
        """
        params = [self.decoder.weight_ih_l0, self.decoder.weight_hh_l0, self.out_proj.weight,
                  self.embed.weight]
        key = (str(device), tuple((p.data_ptr(), p._version) for p in params))
        cache = getattr(self, "_infer_cache", None)
        if cache is not None and cache[0] == key:
            return cache[1]
        dtype = torch.float32
        if device.type == "cpu" and native_bf16():
            dtype = torch.bfloat16
        e, hid = self.cfg.emb_dim, self.cfg.dec_hidden
        w_ih = self.decoder.weight_ih_l0.detach()
        weights = {
            "w_z": w_ih[:, e:],
            "w_oz": self.out_proj.weight.detach()[:, hid:],
            "w_e": w_ih[:, :e].t().contiguous().to(dtype),
            "w_h": self.decoder.weight_hh_l0.detach().t().contiguous().to(dtype),
            "w_oh": self.out_proj.weight.detach()[:, :hid].t().contiguous().to(dtype),
            "emb_t": self.embed.weight.detach().t().contiguous().to(dtype),
        }
        if dtype == torch.bfloat16:
            # embed[prev] @ w_e for every id at once: the same bf16 products row for row (a
            # bf16 product's rows do not depend on the batch), 2 * vocab * 3H bytes.
            weights["gi_table"] = torch.mm(self.embed.weight.detach().to(dtype), weights["w_e"])
            # The per-step products with their weights laid out once (same bits, faster).
            for name in ("w_h", "w_oh", "emb_t"):
                weights[name] = Product(weights[name])
        weights["dtype"] = dtype
        self._infer_cache = (key, weights)
        return weights

    @torch.inference_mode()
    def generate(self, z: torch.Tensor, max_tokens: int, temperature: float = 0.0,
                 top_p: float = 1.0, generator: torch.Generator | None = None) -> list[list[int]]:
        """Greedy (temperature 0) or nucleus sampling for a batch of latents, one call."""
        h, step = self.fast_stepper(z)
        return decoding.generate(step, h, z.shape[0], bos=self.cfg.bos_id, eos=self.cfg.eos_id,
                                 max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                                 generator=generator, banned=(self.cfg.pad_id,),
                                 device=z.device)

    @torch.inference_mode()
    def beam_search(self, z: torch.Tensor, max_tokens: int, beam: int) -> list[list[int]]:
        """Length-normalised beam search, all latents and beams batched together."""
        h, step = self.fast_stepper(z.repeat_interleave(beam, 0))
        return decoding.beam_search(step, h, z.shape[0], beam, bos=self.cfg.bos_id,
                                    eos=self.cfg.eos_id, max_tokens=max_tokens,
                                    banned=(self.cfg.pad_id,), device=z.device)
