"""Import first in a workload, before torch: the environment every rank must run with.

NVLink multicast stays off in NCCL, PyTorch and NVSHMEM (on shared GPU hosts a program that
uses it can put the GPUs out of service), and each rank gets one OpenMP thread so ranks on
one host do not fight over cores (DESIGN.md, Runner rules). Stdlib only.
"""

import os

SAFE_ENV = {
    "NCCL_NVLS_ENABLE": "0",
    "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1",
    "NVSHMEM_DISABLE_NVLS": "1",
    "OMP_NUM_THREADS": "1",
}
os.environ.update(SAFE_ENV)
