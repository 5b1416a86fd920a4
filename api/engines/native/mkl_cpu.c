/*
 * Intel MKL picks its kernels from the CPU class its own checks report, and reports the generic
 * code path for every non-Intel CPU, whatever instructions it has. CTranslate2's wheel links MKL
 * statically but calls these checks through its PLT, so definitions loaded into the process's global
 * symbol scope first win. Ringkas loads this library only on CPUs that have every instruction of
 * MKL's Cascade Lake class (AVX-512 F/CD/BW/DQ/VL and VNNI; api/engines/gemm.py checks the flags), so
 * MKL runs there the kernels an Intel CPU of the same instruction set gets.
 *
 * Not a Python module: api/engines/gemm.py loads it with ctypes (RTLD_GLOBAL) before ctranslate2.
 */

/* MKL's code for its AVX-512 kernels: the highest that CTranslate2 4.8's MKL accepts (0, 1, 3, 5
 * and 7 run; 2, 4, 6, 8 and up are refused as unsupported). */
#define MKL_CPU_AVX512 7

int mkl_serv_cpu_detect(void) { return MKL_CPU_AVX512; }

/* Within the AVX-512 kernels, "is a Cascade Lake" selects the VNNI int8 kernels (exact int32 sums).
 * Without it MKL takes the AVX-512BW pair sums, which saturate at int16: measured on the tiny models,
 * 0.61 nats from the fp32 reference against under 0.5 with VNNI, and ~10% slower. */
int mkl_serv_cpuisclx(void) { return 1; }

/* Lets Python confirm the library is loaded into the global scope, without calling MKL. */
int ringkas_mkl_cpu_code(void) { return MKL_CPU_AVX512; }
