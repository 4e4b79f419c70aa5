package dev.trellis.retrieval.lucene;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DotProduct} on the widest SIMD registers the CPU has (16 floats per step with AVX-512),
 * with two accumulators so consecutive fused multiply-adds do not wait on each other. Only loaded
 * when {@code jdk.incubator.vector} is in the boot layer; see {@link DotProduct#best()}.
 */
final class SimdDotProduct implements DotProduct {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public float dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " != " + b.length);
        }
        int lanes = SPECIES.length();
        int i = 0;
        float sum = 0;
        if (a.length >= 2 * lanes) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            for (int bound = a.length - a.length % (2 * lanes); i < bound; i += 2 * lanes) {
                acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, a, i + lanes).fma(FloatVector.fromArray(SPECIES, b, i + lanes), acc1);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < a.length; i++) {
            sum = Math.fma(a[i], b[i], sum);
        }
        return sum;
    }

    @Override
    public String toString() {
        return "SIMD dot product, " + SPECIES.length() + " floats per step (jdk.incubator.vector)";
    }
}
