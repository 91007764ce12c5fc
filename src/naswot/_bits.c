/* Binary activation codes in C: the two loops NumPy cannot make fast.
 *
 * pack_positive(values, rows, units, words): bit u of row r is values[r, u] > 0, packed 64 to a
 *   little-endian word (the layout of naswot.scores.llo.bitsets.pack), so no boolean copy is made.
 * and_gram(words, rows, nwords, gram): gram[i, j] = popcount(words[i] & words[j]) summed over the
 *   words, the exact count of units active for both rows, written into an int64 matrix.
 *
 * Both take contiguous buffers and release the GIL. Where the CPU has them, AVX2 compares and
 * the POPCNT instruction are used, chosen when the module loads; the portable loops give the
 * same bits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define NASWOT_X86 1
#include <immintrin.h>
#endif

/* Words per row handled at once by and_gram: 128 rows of 256 words (256 KiB) stay in a core's L2. */
#define GRAM_BLOCK_WORDS 256

/* The upper triangle block by block of words (four sums, so popcounts overlap), then mirrored. */
static inline __attribute__((always_inline)) void gram_body(const uint64_t *words, Py_ssize_t rows, Py_ssize_t nwords,
                                                            int64_t *gram) {
    memset(gram, 0, (size_t)(rows * rows) * sizeof(int64_t));
    for (Py_ssize_t start = 0; start < nwords; start += GRAM_BLOCK_WORDS) {
        Py_ssize_t count = nwords - start < GRAM_BLOCK_WORDS ? nwords - start : GRAM_BLOCK_WORDS;
        for (Py_ssize_t i = 0; i < rows; i++) {
            const uint64_t *a = words + i * nwords + start;
            for (Py_ssize_t j = i; j < rows; j++) {
                const uint64_t *b = words + j * nwords + start;
                uint64_t sums[4] = {0, 0, 0, 0};
                Py_ssize_t k = 0;
                for (; k + 4 <= count; k += 4) {
                    sums[0] += (uint64_t)__builtin_popcountll(a[k] & b[k]);
                    sums[1] += (uint64_t)__builtin_popcountll(a[k + 1] & b[k + 1]);
                    sums[2] += (uint64_t)__builtin_popcountll(a[k + 2] & b[k + 2]);
                    sums[3] += (uint64_t)__builtin_popcountll(a[k + 3] & b[k + 3]);
                }
                for (; k < count; k++) sums[0] += (uint64_t)__builtin_popcountll(a[k] & b[k]);
                gram[i * rows + j] += (int64_t)(sums[0] + sums[1] + sums[2] + sums[3]);
            }
        }
    }
    for (Py_ssize_t i = 0; i < rows; i++) {
        for (Py_ssize_t j = 0; j < i; j++) gram[i * rows + j] = gram[j * rows + i];
    }
}

/* Bit k of the word is values[k] > 0, for the first count (at most 64) values. */
static inline uint64_t positive_bits(const float *values, Py_ssize_t count) {
    uint64_t word = 0;
    for (Py_ssize_t k = 0; k < count; k++) word |= (uint64_t)(values[k] > 0.0f) << k;
    return word;
}

static void pack_portable(const float *values, Py_ssize_t rows, Py_ssize_t units, uint64_t *words,
                          Py_ssize_t nwords) {
    for (Py_ssize_t r = 0; r < rows; r++) {
        for (Py_ssize_t w = 0; w < nwords; w++) {
            Py_ssize_t start = w * 64;
            words[r * nwords + w] = positive_bits(values + r * units + start, units - start < 64 ? units - start : 64);
        }
    }
}

#ifdef NASWOT_X86
__attribute__((target("avx2"))) static void pack_avx2(const float *values, Py_ssize_t rows, Py_ssize_t units,
                                                      uint64_t *words, Py_ssize_t nwords) {
    const __m256 zero = _mm256_setzero_ps();
    Py_ssize_t full = units / 64;
    for (Py_ssize_t r = 0; r < rows; r++) {
        const float *row = values + r * units;
        uint64_t *out = words + r * nwords;
        for (Py_ssize_t w = 0; w < full; w++) {
            const float *block = row + w * 64;
            uint64_t word = 0;
            for (int k = 0; k < 8; k++) {
                __m256 v = _mm256_loadu_ps(block + 8 * k);
                uint64_t mask = (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_GT_OQ));
                word |= mask << (8 * k);
            }
            out[w] = word;
        }
        if (full < nwords) out[full] = positive_bits(row + full * 64, units - full * 64);
    }
}

__attribute__((target("popcnt"))) static void gram_popcnt(const uint64_t *words, Py_ssize_t rows, Py_ssize_t nwords,
                                                          int64_t *gram) {
    gram_body(words, rows, nwords, gram); /* inlined here, so __builtin_popcountll becomes the POPCNT instruction */
}
#endif

static void gram_portable(const uint64_t *words, Py_ssize_t rows, Py_ssize_t nwords, int64_t *gram) {
    gram_body(words, rows, nwords, gram);
}

typedef void (*pack_fn)(const float *, Py_ssize_t, Py_ssize_t, uint64_t *, Py_ssize_t);
typedef void (*gram_fn)(const uint64_t *, Py_ssize_t, Py_ssize_t, int64_t *);
static pack_fn pack_impl = pack_portable;
static gram_fn gram_impl = gram_portable;

static int check_size(Py_buffer *buffer, Py_ssize_t expected, const char *name) {
    if (buffer->len != expected) {
        PyErr_Format(PyExc_ValueError, "%s holds %zd bytes, expected %zd", name, buffer->len, expected);
        return 0;
    }
    return 1;
}

/* Both buffers released; None when the work was done, NULL (the error already set) when it was refused. */
static PyObject *release(int done, Py_buffer *first, Py_buffer *second) {
    PyBuffer_Release(first);
    PyBuffer_Release(second);
    if (!done) return NULL;
    Py_RETURN_NONE;
}

static PyObject *pack_positive(PyObject *self, PyObject *args) {
    Py_buffer values, words;
    Py_ssize_t rows, units;
    if (!PyArg_ParseTuple(args, "y*nnw*", &values, &rows, &units, &words)) return NULL;
    Py_ssize_t nwords = (units + 63) / 64;
    int done = rows >= 0 && units >= 0 && check_size(&values, rows * units * (Py_ssize_t)sizeof(float), "values") &&
               check_size(&words, rows * nwords * (Py_ssize_t)sizeof(uint64_t), "words");
    if (done) {
        Py_BEGIN_ALLOW_THREADS
        pack_impl((const float *)values.buf, rows, units, (uint64_t *)words.buf, nwords);
        Py_END_ALLOW_THREADS
    }
    return release(done, &values, &words);
}

static PyObject *and_gram(PyObject *self, PyObject *args) {
    Py_buffer words, gram;
    Py_ssize_t rows, nwords;
    if (!PyArg_ParseTuple(args, "y*nnw*", &words, &rows, &nwords, &gram)) return NULL;
    int done = rows >= 0 && nwords >= 0 && check_size(&words, rows * nwords * (Py_ssize_t)sizeof(uint64_t), "words") &&
               check_size(&gram, rows * rows * (Py_ssize_t)sizeof(int64_t), "gram");
    if (done) {
        Py_BEGIN_ALLOW_THREADS
        gram_impl((const uint64_t *)words.buf, rows, nwords, (int64_t *)gram.buf);
        Py_END_ALLOW_THREADS
    }
    return release(done, &words, &gram);
}

static PyMethodDef methods[] = {
    {"pack_positive", pack_positive, METH_VARARGS,
     "pack_positive(values, rows, units, words): bits of values > 0 (float32, rows x units) into uint64 words."},
    {"and_gram", and_gram, METH_VARARGS,
     "and_gram(words, rows, nwords, gram): gram[i, j] (int64) = popcount(words[i] & words[j]) summed over the words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bits", "Binary activation codes packed and counted in C.",
                                    -1, methods};

PyMODINIT_FUNC PyInit__bits(void) {
#ifdef NASWOT_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) pack_impl = pack_avx2;
    if (__builtin_cpu_supports("popcnt")) gram_impl = gram_popcnt;
#endif
    return PyModule_Create(&module);
}
