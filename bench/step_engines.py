"""One decoder step at the bench's mT5-base shape, in OpenVINO, against CTranslate2's per-step time.

    pip install openvino nncf    # not a Ringkas dependency
    python bench/step_engines.py [--steps 64] [--repeat 30]

A full OpenVINO engine (export with a key/value cache, beam search, the kept vocabulary) is a large
piece of work; this measures first whether it could pay: a plain-torch mT5 decoder step (12 layers,
d_model 768, gated-GELU FFN 2048, 12 heads; self-attention over the tokens so far, cross-attention
over 512 encoder positions, 4 beams, a 60,000-row output projection), random weights, converted
with `openvino.convert_model` and run as fp32, bf16 (AVX512_BF16) and int8-weight (nncf). The
CTranslate2 figure is the same step taken from whole decodes: (64-token decode - 1-token decode) / 63,
with the kept vocabulary, on the bench's converted int8 model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

D, FF, HEADS, LAYERS, ENC, BEAMS, ROWS = 768, 2048, 12, 12, 512, 4, 60_000


class Step(torch.nn.Module):
    """Decoder step: token embedding in, logits out; caches passed in (fixed length, as a server
    would hold them)."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)

        def w(*shape):
            return torch.nn.Parameter(torch.randn(*shape, generator=g) * 0.02)

        self.qkv = torch.nn.ParameterList([w(D, 3 * D) for _ in range(LAYERS)])
        self.o = torch.nn.ParameterList([w(D, D) for _ in range(LAYERS)])
        self.cq = torch.nn.ParameterList([w(D, D) for _ in range(LAYERS)])
        self.co = torch.nn.ParameterList([w(D, D) for _ in range(LAYERS)])
        self.wi = torch.nn.ParameterList([w(D, 2 * FF) for _ in range(LAYERS)])
        self.wo = torch.nn.ParameterList([w(FF, D) for _ in range(LAYERS)])
        self.head = w(D, ROWS)

    @staticmethod
    def _norm(x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)

    def _attend(self, q, k, v):  # q: B,H,1,dh  k,v: B,H,L,dh
        scores = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return (scores @ v).transpose(1, 2).reshape(q.shape[0], 1, D)

    def forward(self, x, self_k, self_v, cross_k, cross_v):
        b = x.shape[0]
        dh = D // HEADS
        for i in range(LAYERS):
            h = self._norm(x) @ self.qkv[i]
            q, k, v = (t.reshape(b, 1, HEADS, dh).transpose(1, 2) for t in h.split(D, dim=-1))
            keys = torch.cat([self_k[i], k], dim=2)
            values = torch.cat([self_v[i], v], dim=2)
            x = x + self._attend(q, keys, values) @ self.o[i]
            q = (self._norm(x) @ self.cq[i]).reshape(b, 1, HEADS, dh).transpose(1, 2)
            x = x + self._attend(q, cross_k[i], cross_v[i]) @ self.co[i]
            gate, up = (self._norm(x) @ self.wi[i]).split(FF, dim=-1)
            x = x + (torch.nn.functional.gelu(gate, approximate="tanh") * up) @ self.wo[i]
        return torch.log_softmax(self._norm(x) @ self.head, dim=-1)


def _inputs(past: int):
    dh = D // HEADS
    return (
        torch.randn(BEAMS, 1, D),
        torch.randn(LAYERS, BEAMS, HEADS, past, dh),
        torch.randn(LAYERS, BEAMS, HEADS, past, dh),
        torch.randn(LAYERS, BEAMS, HEADS, ENC, dh),
        torch.randn(LAYERS, BEAMS, HEADS, ENC, dh),
    )


def _time(run, repeat: int) -> float:
    run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--past", type=int, default=32, help="tokens already decoded (mid-summary)")
    args = parser.parse_args()
    import nncf
    import openvino as ov

    torch.set_num_threads(2)
    model = Step().eval()
    example = _inputs(args.past)
    results = {}
    with torch.inference_mode():
        results["torch fp32 (eager)"] = _time(lambda: model(*example), args.repeat)
    core = ov.Core()
    converted = ov.convert_model(model, example_input=example)
    feed = [t.numpy() for t in example]
    variants = {
        "openvino fp32": (converted, {"INFERENCE_PRECISION_HINT": "f32"}),
        "openvino bf16": (converted, {"INFERENCE_PRECISION_HINT": "bf16"}),
        "openvino int8 weights (nncf), bf16": (
            nncf.compress_weights(converted.clone(), mode=nncf.CompressWeightsMode.INT8_ASYM),
            {"INFERENCE_PRECISION_HINT": "bf16"},
        ),
        "openvino int8 weights (nncf), f32": (
            nncf.compress_weights(converted.clone(), mode=nncf.CompressWeightsMode.INT8_ASYM),
            {"INFERENCE_PRECISION_HINT": "f32"},
        ),
    }
    for name, (graph, config) in variants.items():
        compiled = core.compile_model(
            graph, "CPU", {**config, "INFERENCE_NUM_THREADS": 2, "PERFORMANCE_HINT": "LATENCY"}
        )
        request = compiled.create_infer_request()
        # Inputs bound once without a copy: a server keeps its caches where the engine reads them.
        for index, array in enumerate(feed):
            request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))
        results[name] = _time(request.infer, args.repeat)
    print(json.dumps({"per_step_ms": results, "isa": core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")}))
    for name, ms in results.items():
        print(f"{name:40} {ms:8.1f} ms per step")


if __name__ == "__main__":
    main()
