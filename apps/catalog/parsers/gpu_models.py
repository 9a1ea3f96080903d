"""Accelerator facts the provider catalogues do not state in a usable form."""

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuModel:
    name: str
    memory_gb: int
    supports_fp8: bool


GPU_MODELS: dict[str, GpuModel] = {
    gpu.name: gpu
    for gpu in (
        GpuModel("A100-40GB", 40, False),
        GpuModel("A100-80GB", 80, False),
        GpuModel("H100-80GB", 80, True),
        GpuModel("H200-141GB", 141, True),
        GpuModel("A10G", 24, False),
        GpuModel("L4", 24, True),
        GpuModel("L40S", 48, True),
        GpuModel("T4", 16, False),
    )
}

# The AWS Price List has a GPU count but no GPU model attribute; the instance family fixes it.
AWS_FAMILY_GPU: dict[str, str] = {
    "p4d": "A100-40GB",
    "p4de": "A100-80GB",
    "p5": "H100-80GB",
    "p5e": "H200-141GB",
    "p5en": "H200-141GB",
    "g4dn": "T4",
    "g5": "A10G",
    "g6": "L4",
    "g6e": "L40S",
}


def aws_gpu_for_instance_type(instance_type: str) -> GpuModel | None:
    family = instance_type.split(".", 1)[0]
    name = AWS_FAMILY_GPU.get(family)
    return GPU_MODELS[name] if name else None
