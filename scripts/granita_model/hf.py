# SPDX-License-Identifier: Apache-2.0
"""Loading a local Hugging Face-style BERT checkpoint (config.json + pytorch_model.bin) into the
full-precision teacher. Only checkpoints whose shapes match the teacher configuration are
supported (layers, hidden, heads, ffn, vocabulary); position embeddings are cut to max_seq_len.
The classifier is loaded when present (BertForSequenceClassification), otherwise left random."""
import json
import os

import torch

HF_LAYER_MAP = {
    "attn.q": "attention.self.query",
    "attn.k": "attention.self.key",
    "attn.v": "attention.self.value",
    "attn.out": "attention.output.dense",
    "attn.norm.impl": "attention.output.LayerNorm",
    "ffn.up": "intermediate.dense",
    "ffn.down": "output.dense",
    "ffn.norm.impl": "output.LayerNorm",
}


def read_config(directory):
    path = os.path.join(directory, "config.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise ValueError("%s: cannot read: %s" % (path, e.strerror)) from None
    except ValueError as e:
        raise ValueError("%s: invalid JSON: %s" % (path, e)) from None


def teacher_overrides(hf):
    """ModelConfig fields implied by a HF BERT config (activation, LayerNorm eps, pooler)."""
    act = hf.get("hidden_act", "gelu")
    if act not in ("gelu", "relu"):
        raise ValueError("config.json: hidden_act: '%s' is not supported (gelu or relu)" % act)
    return {"ffn_act": act, "pool_act": "tanh", "ln_eps": float(hf.get("layer_norm_eps", 1e-12))}


def check_shapes(hf, cfg):
    want = {"num_hidden_layers": cfg.layers, "hidden_size": cfg.hidden,
            "num_attention_heads": cfg.heads, "intermediate_size": cfg.ffn,
            "vocab_size": cfg.vocab_size, "type_vocab_size": cfg.type_vocab_size}
    for k, v in want.items():
        if k not in hf:
            raise ValueError("config.json: %s: missing" % k)
        if int(hf[k]) != v:
            raise ValueError("config.json: %s: the checkpoint has %s, the teacher configuration %d "
                             "(only matching shapes are supported)" % (k, hf[k], v))
    if int(hf.get("max_position_embeddings", 0)) < cfg.max_seq_len:
        raise ValueError("config.json: max_position_embeddings: %s < max_seq_len %d"
                         % (hf.get("max_position_embeddings"), cfg.max_seq_len))


def _get(sd, name):
    for cand in (name, name.replace(".weight", ".gamma").replace(".bias", ".beta")):
        for prefix in ("bert.", ""):
            if prefix + cand in sd:
                return sd[prefix + cand]
    return None


def load_into(model, directory, log=print):
    """Copies the checkpoint in `directory` into the teacher `model`; returns the number of
    tensors loaded. Raises ValueError naming the file and the tensor on any mismatch."""
    hf = read_config(directory)
    check_shapes(hf, model.cfg)
    path = os.path.join(directory, "pytorch_model.bin")
    if not os.path.exists(path):
        raise ValueError("%s: missing (only pytorch_model.bin checkpoints are supported)" % path)
    sd = torch.load(path, map_location="cpu")
    if "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    cfg = model.cfg
    pairs = [("embed.word.weight", "embeddings.word_embeddings.weight"),
             ("embed.pos.weight", "embeddings.position_embeddings.weight"),
             ("embed.typ.weight", "embeddings.token_type_embeddings.weight"),
             ("embed.norm.impl.weight", "embeddings.LayerNorm.weight"),
             ("embed.norm.impl.bias", "embeddings.LayerNorm.bias"),
             ("pool.weight", "pooler.dense.weight"), ("pool.bias", "pooler.dense.bias")]
    for l in range(cfg.layers):
        for ours, theirs in HF_LAYER_MAP.items():
            for role in ("weight", "bias"):
                pairs.append(("layers.%d.%s.%s" % (l, ours, role),
                              "encoder.layer.%d.%s.%s" % (l, theirs, role)))
    own = model.state_dict()
    n = 0
    with torch.no_grad():
        for ours, theirs in pairs:
            t = _get(sd, theirs)
            if t is None:
                raise ValueError("%s: tensor %s is missing" % (path, theirs))
            if ours == "embed.pos.weight":
                t = t[: cfg.max_seq_len]
            if tuple(t.shape) != tuple(own[ours].shape):
                raise ValueError("%s: %s has shape %s, the teacher expects %s"
                                 % (path, theirs, list(t.shape), list(own[ours].shape)))
            own[ours].copy_(t.float())
            n += 1
        cw, cb = sd.get("classifier.weight"), sd.get("classifier.bias")
        if cw is not None and cb is not None and tuple(cw.shape) == tuple(own["classifier.weight"].shape):
            own["classifier.weight"].copy_(cw.float())
            own["classifier.bias"].copy_(cb.float())
            n += 2
        elif cw is not None:
            log("%s: classifier shape %s does not match %d labels; left random"
                % (path, list(cw.shape), cfg.num_labels))
    log("loaded %d tensors from %s" % (n, path))
    return n
