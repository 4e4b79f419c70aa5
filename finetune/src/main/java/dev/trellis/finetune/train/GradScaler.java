package dev.trellis.finetune.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 training, with the rules and defaults of PyTorch's
 * {@code torch.cuda.amp.GradScaler}: the loss is multiplied by {@link #scale()} before
 * {@code backward} so small gradients do not underflow float16; the gradients are divided by it
 * again in float32. A step whose gradients hold an inf or NaN is skipped and the scale multiplied by
 * {@code backoffFactor} (0.5); after {@code growthInterval} (2000) overflow-free steps in a row it
 * is multiplied by {@code growthFactor} (2). It starts at 2^16.
 *
 * <p>Pure bookkeeping (no arrays), so its rules are unit-tested without a GPU; its state goes into
 * every checkpoint's {@code trainer_state.json} under {@code grad_scaler} with torch's key names.
 */
public final class GradScaler {

    public static final double DEFAULT_INIT_SCALE = 65536.0;
    public static final double DEFAULT_GROWTH_FACTOR = 2.0;
    public static final double DEFAULT_BACKOFF_FACTOR = 0.5;
    public static final int DEFAULT_GROWTH_INTERVAL = 2000;

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private double scale;
    private int growthTracker;
    private long skippedSteps;

    /** PyTorch's defaults: scale 2^16, x2 every 2000 good steps, x0.5 on overflow. */
    public GradScaler() {
        this(DEFAULT_INIT_SCALE, DEFAULT_GROWTH_FACTOR, DEFAULT_BACKOFF_FACTOR, DEFAULT_GROWTH_INTERVAL);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!Double.isFinite(initScale) || initScale <= 0) {
            throw new IllegalArgumentException("initScale must be a finite number above 0, got " + initScale
                    + "; PyTorch's default is 65536 (2^16)");
        }
        if (!(growthFactor > 1) || !Double.isFinite(growthFactor)) {
            throw new IllegalArgumentException("growthFactor must be a finite number above 1, got " + growthFactor);
        }
        if (!(backoffFactor > 0 && backoffFactor < 1)) {
            throw new IllegalArgumentException("backoffFactor must be in (0, 1), got " + backoffFactor);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("growthInterval must be at least 1, got " + growthInterval);
        }
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** The factor the loss is multiplied by before {@code backward}. */
    public double scale() {
        return scale;
    }

    /** Overflow-free steps since the scale last changed. */
    public int growthTracker() {
        return growthTracker;
    }

    /** Steps skipped for overflow since this scaler was created (or restored). */
    public long skippedSteps() {
        return skippedSteps;
    }

    public int growthInterval() {
        return growthInterval;
    }

    /**
     * Records the outcome of one step and adjusts the scale; returns whether the optimizer step
     * should run ({@code false} when the unscaled gradients were not finite: skip it).
     */
    public boolean update(boolean gradientsFinite) {
        if (!gradientsFinite) {
            scale *= backoffFactor;
            growthTracker = 0;
            skippedSteps++;
            return false;
        }
        growthTracker++;
        if (growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        return true;
    }

    /** The state as torch's {@code GradScaler.state_dict()} names it, plus the skipped-step count. */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("growth_factor", growthFactor);
        m.put("backoff_factor", backoffFactor);
        m.put("growth_interval", growthInterval);
        m.put("_growth_tracker", growthTracker);
        m.put("skipped_steps", skippedSteps);
        return m;
    }

    /**
     * Restores the scale, growth tracker and skipped-step count from {@link #stateDict()} (the
     * factors and interval stay as configured, as in torch where they come from the constructor
     * of the resumed run).
     */
    public void loadStateDict(Map<String, Object> state) {
        Object s = state.get("scale");
        Object t = state.get("_growth_tracker");
        if (!(s instanceof Number sn) || !(t instanceof Number tn) || !(sn.doubleValue() > 0)
                || !Double.isFinite(sn.doubleValue()) || tn.intValue() < 0) {
            throw new IllegalArgumentException("grad scaler state needs a positive finite 'scale' and a '_growth_tracker' "
                    + ">= 0; got " + state);
        }
        scale = sn.doubleValue();
        growthTracker = Math.min(tn.intValue(), growthInterval - 1);
        skippedSteps = state.get("skipped_steps") instanceof Number k ? k.longValue() : 0;
    }

    @Override
    public String toString() {
        return "GradScaler" + stateDict();
    }
}
