package dev.trellis.finetune.model.safetensors;

import java.util.Locale;

/** The element types of the safetensors format, by the names its header uses. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** True for the types that widen to float32 when loaded (F64 narrows). */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    static DType parse(String name, String file, String tensor) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException("tensor '" + tensor + "' in " + file + " has dtype '" + name
                    + "', which Trellis cannot read; supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
        }
    }
}
