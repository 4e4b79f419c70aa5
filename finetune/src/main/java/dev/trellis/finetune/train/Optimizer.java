package dev.trellis.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.Parameter;
import dev.trellis.framework.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer that updates the model's {@link Parameter} arrays in place from their gradients.
 *
 * <p>State arrays (moments) are created once, up front, in the optimizer's own manager: an
 * {@code NDScope} around a training step would otherwise close state created inside it. State
 * is saved bit-exactly (raw float32) so a resumed run continues exactly where it stopped.
 */
public abstract class Optimizer implements AutoCloseable {

    private static final int MAGIC = 0x54524F50; // "TROP"

    protected final List<Parameter> parameters;
    protected final double weightDecay;
    protected final NDManager manager;
    /** Per parameter name, its state arrays in a fixed order. */
    protected final Map<String, List<NDArray>> state = new LinkedHashMap<>();
    protected long stepCount;

    protected Optimizer(List<Parameter> parameters, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.weightDecay = weightDecay;
        this.manager = NDManager.newBaseManager(parameters.get(0).array().getDevice());
        for (Parameter p : this.parameters) {
            state.put(p.name(), createState(p));
        }
    }

    /** The optimizer named by {@code args.optim()} over {@code parameters}. */
    public static Optimizer create(TrainingArguments args, List<Parameter> parameters) {
        return switch (args.optim()) {
            case ADAMW -> new AdamW(parameters, args.weightDecay(), args.adamBeta1(), args.adamBeta2(), args.adamEpsilon());
            case ADAFACTOR -> new Adafactor(parameters, args.weightDecay());
            case SGD -> new Sgd(parameters, args.weightDecay());
        };
    }

    /** The state arrays of one parameter, zero-initialised in {@link #manager}. */
    protected abstract List<NDArray> createState(Parameter p);

    /** Updates one parameter in place; {@code decay} is the weight decay for it (0 for norms and biases). */
    protected abstract void update(Parameter p, NDArray grad, List<NDArray> state, double lr, double decay);

    /**
     * One update of every parameter at learning rate {@code lr}; {@code grads} are the parameters'
     * gradients in {@link #parameters} order (possibly clipped).
     */
    public void step(double lr, List<NDArray> grads) {
        if (grads.size() != parameters.size()) {
            throw new IllegalArgumentException("got " + grads.size() + " gradients for " + parameters.size() + " parameters");
        }
        stepCount++;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            update(p, grads.get(i), state.get(p.name()), lr, p.decay() ? weightDecay : 0.0);
        }
    }

    /** The parameters this optimizer updates, in order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Updates applied so far. */
    public long stepCount() {
        return stepCount;
    }

    protected NDArray zeros(Shape shape) {
        return manager.zeros(shape, DataType.FLOAT32);
    }

    /** Writes the state (step count and every array, float32 little-endian) to {@code file} atomically. */
    public void save(Path file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(getClass().getSimpleName());
            out.writeLong(stepCount);
            out.writeInt(state.size());
            for (Map.Entry<String, List<NDArray>> e : state.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (NDArray a : e.getValue()) {
                    long[] shape = a.getShape().getShape();
                    out.writeInt(shape.length);
                    for (long d : shape) {
                        out.writeLong(d);
                    }
                    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(a.size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(a.toFloatArray());
                    out.write(buf.array());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** Restores state written by {@link #save(Path)} for the same parameters and optimizer. */
    public void load(Path file) {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalStateException(file + " is not a Trellis optimizer state file");
            }
            String kind = in.readUTF();
            if (!kind.equals(getClass().getSimpleName())) {
                throw new TrainingConfigException("optim", file + " holds " + kind + " state but this run uses "
                        + getClass().getSimpleName() + "; resume with the optimizer the checkpoint was trained with");
            }
            stepCount = in.readLong();
            int n = in.readInt();
            if (n != state.size()) {
                throw new IllegalStateException(file + " holds state for " + n + " parameters; the model has " + state.size()
                        + " (was the checkpoint made for another model?)");
            }
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                List<NDArray> arrays = state.get(name);
                int count = in.readInt();
                if (arrays == null || arrays.size() != count) {
                    throw new IllegalStateException(file + " has state for parameter '" + name + "' that this model lacks");
                }
                for (NDArray a : arrays) {
                    int rank = in.readInt();
                    long[] shape = new long[rank];
                    for (int d = 0; d < rank; d++) {
                        shape[d] = in.readLong();
                    }
                    if (!new Shape(shape).equals(a.getShape())) {
                        throw new IllegalStateException(file + ": state of '" + name + "' has shape " + new Shape(shape)
                                + ", expected " + a.getShape());
                    }
                    byte[] raw = new byte[Math.toIntExact(a.size() * 4)];
                    in.readFully(raw);
                    float[] v = new float[Math.toIntExact(a.size())];
                    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                    a.set(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read optimizer state " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every state array, for tests and diagnostics. */
    List<NDArray> stateOf(String parameterName) {
        return new ArrayList<>(state.get(parameterName));
    }

    @Override
    public void close() {
        manager.close();
    }
}
