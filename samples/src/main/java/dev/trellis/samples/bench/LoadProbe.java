package dev.trellis.samples.bench;

import ai.djl.Device;
import dev.trellis.finetune.model.CausalLM;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The child process of {@code trellis bench load}: loads one checkpoint and prints, as one JSON line,
 * how long it took and the most memory the process ever held, so nothing but the load is counted.
 */
public final class LoadProbe {

    private LoadProbe() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long start = System.nanoTime();
        try (CausalLM model = CausalLM.load(dir, Device.cpu())) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "{\"load_seconds\":%.3f,\"peak_rss_bytes\":%d,\"fp32_bytes\":%d}%n", seconds,
                    QuantizedDecodeBench.peakRssBytes(), model.memoryFootprint());
        }
    }
}
