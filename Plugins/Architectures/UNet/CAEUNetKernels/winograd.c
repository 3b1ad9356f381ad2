// Winograd's F(2x2, 3x3); see winograd.h. Only additions and halvings, in
// a fixed order: the same bits on every CPU.
#include "winograd.h"

#include "clones.h"

#pragma STDC FP_CONTRACT OFF

#define CAE_VECTORIZE _Pragma("clang loop vectorize(assume_safety)")

// u = G g Gt, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], for `inputs`
// kernels at once: g[tap] holds each tap's `inputs` values, u[e] the results.
static inline __attribute__((always_inline)) void caeunetkernels_winograd_g(const float *g[9], int inputs, float *u[16]) {
    CAE_VECTORIZE
    for (int i = 0; i < inputs; i++) {
        float t[4][3];
        for (int j = 0; j < 3; j++) {
            float g0 = g[j][i], g1 = g[3 + j][i], g2 = g[6 + j][i];
            t[0][j] = g0;
            t[1][j] = 0.5f * (g0 + g1 + g2);
            t[2][j] = 0.5f * (g0 - g1 + g2);
            t[3][j] = g2;
        }
        for (int r = 0; r < 4; r++) {
            u[4 * r][i] = t[r][0];
            u[4 * r + 1][i] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
            u[4 * r + 2][i] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
            u[4 * r + 3][i] = t[r][2];
        }
    }
}

CAE_CLONES void CAEUNetKernels_winograd_weights(const float *w, int outputs, int inputs, int flipped, float *u) {
    for (int o = 0; o < outputs; o++) {
        const float *g[9];
        float *rows[16];
        for (int tap = 0; tap < 9; tap++) g[tap] = w + ((size_t)o * 9 + (size_t)(flipped ? 8 - tap : tap)) * inputs;
        for (int e = 0; e < 16; e++) rows[e] = u + ((size_t)e * outputs + o) * inputs;
        caeunetkernels_winograd_g(g, inputs, rows);
    }
}

CAE_CLONES void CAEUNetKernels_winograd_weights_forward(
    const float *w, int outputs, int inputs, float *scratch, float *u) {
    CAEUNetKernels_winograd_weights(w, outputs, inputs, 0, scratch);
    for (int e = 0; e < 16; e++) {
        const float *from = scratch + (size_t)e * outputs * inputs;
        float *to = u + (size_t)e * outputs * inputs;
        for (int i = 0; i < inputs; i++) {
            for (int o = 0; o < outputs; o++) to[(size_t)i * outputs + o] = from[(size_t)o * inputs + i];
        }
    }
}

CAE_CLONES void CAEUNetKernels_winograd_weights_gradient(const float *du, int outputs, int inputs, float *dw) {
    // dg = Gt du G, Gt = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1].
    for (int o = 0; o < outputs; o++) {
        const float *d[16];
        float *row[9];
        for (int e = 0; e < 16; e++) d[e] = du + ((size_t)e * outputs + o) * inputs;
        for (int tap = 0; tap < 9; tap++) row[tap] = dw + ((size_t)o * 9 + (size_t)tap) * inputs;
        CAE_VECTORIZE
        for (int i = 0; i < inputs; i++) {
            float t[3][4];
            for (int j = 0; j < 4; j++) {
                float d0 = d[j][i], d1 = d[4 + j][i], d2 = d[8 + j][i], d3 = d[12 + j][i];
                t[0][j] = d0 + 0.5f * (d1 + d2);
                t[1][j] = 0.5f * (d1 - d2);
                t[2][j] = 0.5f * (d1 + d2) + d3;
            }
            for (int a = 0; a < 3; a++) {
                row[3 * a][i] = t[a][0] + 0.5f * (t[a][1] + t[a][2]);
                row[3 * a + 1][i] = 0.5f * (t[a][1] - t[a][2]);
                row[3 * a + 2][i] = 0.5f * (t[a][1] + t[a][2]) + t[a][3];
            }
        }
    }
}

// Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: v = Bt d B, for `channels`
// channels from the 16 rows `d`, into the 16 rows `v` (stride `stride`).
static inline __attribute__((always_inline)) void caeunetkernels_winograd_tile(const float *d[16], int channels, float *v, size_t stride) {
    CAE_VECTORIZE
    for (int c = 0; c < channels; c++) {
        float a[4][4];
        for (int j = 0; j < 4; j++) {
            a[0][j] = d[j][c] - d[8 + j][c];
            a[1][j] = d[4 + j][c] + d[8 + j][c];
            a[2][j] = d[8 + j][c] - d[4 + j][c];
            a[3][j] = d[4 + j][c] - d[12 + j][c];
        }
        for (int i = 0; i < 4; i++) {
            v[(size_t)(4 * i) * stride + c] = a[i][0] - a[i][2];
            v[(size_t)(4 * i + 1) * stride + c] = a[i][1] + a[i][2];
            v[(size_t)(4 * i + 2) * stride + c] = a[i][2] - a[i][1];
            v[(size_t)(4 * i + 3) * stride + c] = a[i][1] - a[i][3];
        }
    }
}

CAE_CLONES void CAEUNetKernels_winograd_input(
    const float *below, int below_channels, const float *skip, int skip_channels, int side, size_t first,
    size_t count, const float *zeros, float *v, size_t stride) {
    size_t ts = (size_t)(side + 1) / 2, channels = (size_t)(below_channels + skip_channels);
    int half = side / 2;
    for (size_t t = 0; t < count; t++) {
        size_t tile = first + t, image = tile / (ts * ts), place = tile % (ts * ts);
        int y0 = 2 * (int)(place / ts) - 1, x0 = 2 * (int)(place % ts) - 1;
        const float *d[16];
        if (below_channels > 0) {
            for (int e = 0; e < 16; e++) {
                int sy = y0 + e / 4, sx = x0 + e % 4;
                int inside = sy >= 0 && sy < side && sx >= 0 && sx < side;
                d[e] = inside ? below + ((image * half + (size_t)(sy / 2)) * half + (size_t)(sx / 2)) * below_channels
                              : zeros;
            }
            caeunetkernels_winograd_tile(d, below_channels, v + t * channels, stride);
        }
        for (int e = 0; e < 16; e++) {
            int sy = y0 + e / 4, sx = x0 + e % 4;
            int inside = sy >= 0 && sy < side && sx >= 0 && sx < side;
            d[e] = inside ? skip + ((image * side + (size_t)sy) * side + (size_t)sx) * skip_channels : zeros;
        }
        caeunetkernels_winograd_tile(d, skip_channels, v + t * channels + below_channels, stride);
    }
}

CAE_CLONES void CAEUNetKernels_winograd_output(
    const float *m, size_t stride, size_t first, size_t count, int side, int outputs, const float *bias, int relu,
    float *trash, float *y) {
    size_t ts = (size_t)(side + 1) / 2;
    for (size_t t = 0; t < count; t++) {
        size_t tile = first + t, image = tile / (ts * ts), place = tile % (ts * ts);
        int y0 = 2 * (int)(place / ts), x0 = 2 * (int)(place % ts);
        const float *p[16];
        for (int e = 0; e < 16; e++) p[e] = m + (size_t)e * stride + t * (size_t)outputs;
        float *out[4];
        for (int q = 0; q < 4; q++) {
            int py = y0 + q / 2, px = x0 + q % 2;
            out[q] = py < side && px < side ? y + ((image * side + (size_t)py) * side + (size_t)px) * outputs : trash;
        }
        CAE_VECTORIZE
        for (int o = 0; o < outputs; o++) {
            // At = [1 1 1 0; 0 1 -1 -1]: y = At m A.
            float a[2][4];
            for (int j = 0; j < 4; j++) {
                a[0][j] = p[j][o] + p[4 + j][o] + p[8 + j][o];
                a[1][j] = p[4 + j][o] - p[8 + j][o] - p[12 + j][o];
            }
            float b = bias ? bias[o] : 0;
            for (int r = 0; r < 2; r++) {
                float v0 = a[r][0] + a[r][1] + a[r][2] + b, v1 = a[r][1] - a[r][2] - a[r][3] + b;
                out[2 * r][o] = relu && v0 < 0 ? 0 : v0;
                out[2 * r + 1][o] = relu && v1 < 0 ? 0 : v1;
            }
        }
    }
}

CAE_CLONES void CAEUNetKernels_winograd_output_gradient(
    const float *dy, int side, int outputs, size_t first, size_t count, const float *zeros, float *dm,
    size_t stride) {
    size_t ts = (size_t)(side + 1) / 2;
    for (size_t t = 0; t < count; t++) {
        size_t tile = first + t, image = tile / (ts * ts), place = tile % (ts * ts);
        int y0 = 2 * (int)(place / ts), x0 = 2 * (int)(place % ts);
        const float *g[4];
        for (int q = 0; q < 4; q++) {
            int py = y0 + q / 2, px = x0 + q % 2;
            g[q] = py < side && px < side ? dy + ((image * side + (size_t)py) * side + (size_t)px) * outputs : zeros;
        }
        float *out = dm + t * (size_t)outputs;
        CAE_VECTORIZE
        for (int o = 0; o < outputs; o++) {
            // A = At's transpose: rows (1 0), (1 1), (1 -1), (0 -1); dm = A dy At.
            float r[4][2];
            for (int q = 0; q < 2; q++) {
                float d0 = g[q][o], d1 = g[2 + q][o];
                r[0][q] = d0;
                r[1][q] = d0 + d1;
                r[2][q] = d0 - d1;
                r[3][q] = -d1;
            }
            for (int i = 0; i < 4; i++) {
                out[(size_t)(4 * i) * stride + o] = r[i][0];
                out[(size_t)(4 * i + 1) * stride + o] = r[i][0] + r[i][1];
                out[(size_t)(4 * i + 2) * stride + o] = r[i][0] - r[i][1];
                out[(size_t)(4 * i + 3) * stride + o] = -r[i][1];
            }
        }
    }
}
