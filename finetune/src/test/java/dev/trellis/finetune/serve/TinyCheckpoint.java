package dev.trellis.finetune.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The finetune tests' tiny checkpoint (BPE tokenizer, random GPT-NeoX, trellis.json) plus the files
 * a trainer and an evaluation leave for the dashboard: {@code metrics.jsonl} and {@code eval.md}.
 * Real parts, untrained weights: answers are gibberish, but every code path runs for real.
 */
final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    static Path create(Path dir) throws IOException {
        dev.trellis.finetune.TinyCheckpoint.write(dir, 7);
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":6.1}\n{\"step\":2,\"loss\":5.7}\n{\"step\":3,\"loss\":5.2}\n");
        Files.writeString(dir.resolve("eval.md"), "| metric | base | finetuned |\n|---|---|---|\n| exact_match | 0.00 | 0.10 |\n");
        return dir;
    }
}
