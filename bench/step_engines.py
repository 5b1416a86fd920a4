"""One decoder step at the bench's mT5-base shape, in OpenVINO and ONNX Runtime, against CTranslate2.

    pip install openvino nncf onnxruntime onnx onnxscript    # not Ringkas dependencies
    python bench/step_engines.py [--rows 4] [--repeat 30]    # --rows 32: eight requests of 4 beams
    python bench/step_engines.py --threads 1                 # as Ringkas runs each replica

A full OpenVINO engine (export with a key/value cache, beam search, the kept vocabulary) is a large
piece of work; this measures first whether it could pay: a plain-torch mT5 decoder step (12 layers,
d_model 768, gated-GELU FFN 2048, 12 heads; self-attention over the tokens so far, cross-attention
over 512 encoder positions, 4 beams, a 60,000-row output projection), random weights, converted
with `openvino.convert_model` and run as fp32, bf16 (AVX512_BF16) and int8-weight (nncf), and exported
to ONNX and run by ONNX Runtime in fp32 and with dynamic int8 quantisation. Inputs are bound once, as
a server keeps its caches where the engine reads them. The CTranslate2 figure is the same step taken
from whole decodes: (64-token decode - 1-token decode) / 63, kept vocabulary, the bench's int8 model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

D, FF, HEADS, LAYERS, ENC, ROWS = 768, 2048, 12, 12, 512, 60_000


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


def _inputs(past: int, rows: int):
    dh = D // HEADS
    return (
        torch.randn(rows, 1, D),
        torch.randn(LAYERS, rows, HEADS, past, dh),
        torch.randn(LAYERS, rows, HEADS, past, dh),
        torch.randn(LAYERS, rows, HEADS, ENC, dh),
        torch.randn(LAYERS, rows, HEADS, ENC, dh),
    )


def _onnx_runtime(model, example, repeat: int, folder: Path, threads: int) -> dict[str, float]:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = ["x", "self_k", "self_v", "cross_k", "cross_v"]
    fp32 = folder / "step.onnx"
    torch.onnx.export(model, example, str(fp32), input_names=names, output_names=["logp"], dynamo=False)
    int8 = folder / "step-int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    out = {}
    for name, path in (("onnxruntime fp32", fp32), ("onnxruntime int8 (dynamic)", int8)):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        binding = session.io_binding()
        for input_name, tensor in zip(names, example, strict=True):
            binding.bind_ortvalue_input(input_name, ort.OrtValue.ortvalue_from_numpy(tensor.numpy()))
        binding.bind_output("logp")
        out[name] = _time(lambda session=session, binding=binding: session.run_with_iobinding(binding), repeat)
    return out


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
    parser.add_argument("--rows", type=int, default=4, help="sequences in the step: beams x requests")
    parser.add_argument("--threads", type=int, default=2, help="math threads of every engine")
    args = parser.parse_args()
    import nncf
    import openvino as ov

    torch.set_num_threads(args.threads)
    model = Step().eval()
    example = _inputs(args.past, args.rows)
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
            graph, "CPU", {**config, "INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": "LATENCY"}
        )
        request = compiled.create_infer_request()
        # Inputs bound once without a copy: a server keeps its caches where the engine reads them.
        for index, array in enumerate(feed):
            request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))
        results[name] = _time(request.infer, args.repeat)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        results.update(_onnx_runtime(model, example, args.repeat, Path(folder), args.threads))
    print(json.dumps({"rows": args.rows, "threads": args.threads, "per_step_ms": results}))
    for name, ms in results.items():
        print(f"{name:40} {ms:8.1f} ms per step")


if __name__ == "__main__":
    main()
