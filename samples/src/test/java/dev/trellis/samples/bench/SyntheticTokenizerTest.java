package dev.trellis.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.trellis.finetune.tokenizer.BpeVocabulary;
import dev.trellis.finetune.tokenizer.ByteLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic tokenizer as the Hugging Face tokenizers library (through DJL) reads it: every id decodes. */
class SyntheticTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void aPublishedVocabularySizeLoadsAndEveryIdDecodes() throws IOException {
        int size = 49152; // SmolLM2's
        BpeVocabulary vocabulary = SyntheticTokenizer.ofSize(size);
        assertThat(vocabulary.size()).isEqualTo(size);
        assertThat(new HashSet<>(vocabulary.vocab())).hasSize(size);
        vocabulary.save(dir);

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir)) {
            int whole = 0;
            for (int id = 1; id < size; id++) {
                String text = tokenizer.decode(new long[] {id});
                // Many tokens are pieces of UTF-8 characters and decode with replacement characters; the rest exactly.
                if (!text.contains("\uFFFD")) {
                    assertThat(text).as("id %d", id).isEqualTo(ByteLevel.decode(vocabulary.vocab().get(id)));
                    whole++;
                }
            }
            assertThat(whole).isGreaterThan(10_000);
            assertThat(tokenizer.decode(new long[] {0}, false)).isEqualTo(SyntheticTokenizer.END_OF_TEXT);

            // Plain text encodes through the merges and decodes back whole.
            String text = "Trellis measures Jlama on the same weights.";
            Encoding encoding = tokenizer.encode(text, false, false);
            assertThat(encoding.getIds().length).isLessThan(text.length());
            assertThat(tokenizer.decode(encoding.getIds())).isEqualTo(text);
        }
    }

    @Test
    void vocabulariesSmallerThanTheByteAlphabetStayValid() throws IOException {
        SyntheticTokenizer.ofSize(97).save(dir);
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir)) {
            for (long id = 0; id < 97; id++) {
                assertThat(tokenizer.decode(new long[] {id}, false)).as("id %d", id).isNotEmpty();
            }
        }
    }

    @Test
    void qwenSizedVocabularyHasDistinctTokens() {
        BpeVocabulary vocabulary = SyntheticTokenizer.ofSize(151936);
        assertThat(new HashSet<>(vocabulary.vocab())).hasSize(151936);
        assertThat(vocabulary.merges()).hasSize(151936 - 257);
    }
}
