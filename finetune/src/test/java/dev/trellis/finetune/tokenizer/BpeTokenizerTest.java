package dev.trellis.finetune.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE training -> tokenizer.json -> DJL's HuggingFaceTokenizer -> exact round trips. */
class BpeTokenizerTest {

    @TempDir
    static Path dir;
    static BpeVocabulary bpe;

    /** A small synthetic corpus with repeated words, numbers, punctuation and non-ASCII text. */
    static List<String> corpus(int docs, long seed) {
        String[] words = {"trail", "jacket", "waterproof", "merino", "hiking", "pants", "sun", "protection",
            "price", "pocket", "the", "a", "with", "for", "and", "rated", "UPF", "collection", "fleece", "café"};
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                sb.append(words[r.nextInt(words.length)]);
                sb.append(r.nextInt(10) == 0 ? ". " : r.nextInt(15) == 0 ? "\n" : " ");
                if (r.nextInt(20) == 0) {
                    sb.append('$').append(r.nextInt(300)).append('.').append(r.nextInt(100)).append(' ');
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    @BeforeAll
    static void train() {
        bpe = BpeTrainer.builder().vocabSize(600).build().train(corpus(400, 7));
        bpe.save(dir);
    }

    @Test
    void trainsTheRequestedVocabularyWithSpecialTokensFirst() throws Exception {
        assertThat(bpe.size()).isEqualTo(600);
        assertThat(bpe.vocab().get(0)).isEqualTo(BpeTrainer.END_OF_TEXT);
        assertThat(bpe.vocab()).contains("Ġtrail", "Ġwaterproof");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        assertThat(json.at("/model/type").asText()).isEqualTo("BPE");
        assertThat(json.at("/pre_tokenizer/type").asText()).isEqualTo("ByteLevel");
        assertThat(json.at("/decoder/type").asText()).isEqualTo("ByteLevel");
        assertThat(json.at("/model/merges").size()).isEqualTo(bpe.merges().size());
        assertThat(json.at("/added_tokens/0/content").asText()).isEqualTo("<|endoftext|>");
    }

    @Test
    void trainingIsDeterministic() {
        BpeVocabulary again = BpeTrainer.builder().vocabSize(600).build().train(corpus(400, 7));
        assertThat(again.merges()).isEqualTo(bpe.merges());
        assertThat(again.vocab()).isEqualTo(bpe.vocab());
    }

    @Test
    void djlLoadsTheTrainedTokenizerAndRoundTripsExactly() {
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertThat(tok.vocabSize()).isEqualTo(600);
            assertThat(tok.eosTokenId()).isZero();
            assertThat(tok.padTokenId()).isZero();
            for (String text : List.of("waterproof hiking jacket", "  two leading spaces\n\nand\ttabs  ",
                    "Café crème, naïve façade — 日本語のテキスト", "emoji 🧗‍♀️🏔️ and 👍🏽!", "price $129.95 (UPF 50+)",
                    "", " ", "\n", "don't we'll they've")) {
                int[] ids = tok.encode(text);
                assertThat(tok.decode(ids)).as("round trip of %s", text).isEqualTo(text);
            }
            // merges learned on the corpus make frequent words single tokens
            assertThat(tok.encode(" waterproof")).hasSize(1);
            assertThat(tok.encode("waterproof hiking jacket").length).isLessThan("waterproof hiking jacket".length() / 2);
        }
    }

    @Test
    void individualDigitsMakeEveryDigitATokenAsLlamaDoes(@TempDir Path digits) throws Exception {
        BpeVocabulary vocabulary = BpeTrainer.builder().vocabSize(340).individualDigits(true).build().train(corpus(400, 7));
        vocabulary.save(digits);
        assertThat(vocabulary.size()).isEqualTo(340);
        assertThat(vocabulary.vocab()).noneMatch(token -> token.matches(".*\\d.*") && token.length() > 1);
        assertThat(bpe.vocab()).anyMatch(token -> token.matches("\\d{2,}")); // GPT-2's way merges digits
        JsonNode json = new ObjectMapper().readTree(digits.resolve("tokenizer.json").toFile());
        assertThat(json.at("/pre_tokenizer/type").asText()).isEqualTo("Sequence");
        assertThat(json.at("/pre_tokenizer/pretokenizers/0/type").asText()).isEqualTo("Digits");
        assertThat(json.at("/pre_tokenizer/pretokenizers/1/type").asText()).isEqualTo("ByteLevel");
        try (HfTokenizer tok = HfTokenizer.load(digits)) {
            for (String text : List.of("TR-0294", " 94.50", "price $129.95 (UPF 50+)", "①²٣ and 7")) {
                int[] ids = tok.encode(text);
                assertThat(tok.decode(ids)).isEqualTo(text);
                for (int id : ids) {
                    String piece = tok.decode(new int[] {id});
                    if (piece.codePoints().anyMatch(Character::isDigit)) {
                        assertThat(piece.codePointCount(0, piece.length())).as("token %s of %s", piece, text).isEqualTo(1);
                    }
                }
            }
            assertThat(tok.encode("0294")).hasSize(4);
            // the merges learned in Java apply under Hugging Face's pre-tokenizer: frequent words stay whole
            assertThat(tok.encode(" waterproof")).hasSize(1);
        }
        assertThat(ByteLevel.preTokenize("TR-0294 costs 94.50", true))
                .containsExactly("TR", "-", "0", "2", "9", "4", " costs", " ", "9", "4", ".", "5", "0");
        assertThat(ByteLevel.preTokenize("TR-0294 costs 94.50", false))
                .containsExactly("TR", "-", "0294", " costs", " 94", ".", "50");
    }

    @Test
    void isolatedSpacesGiveAWordTheSameTokensAfterASpaceANewlineOrNothing(@org.junit.jupiter.api.io.TempDir Path dir) {
        List<String> corpus = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            corpus.add("light: partial shade\nprice: 94.50\n\nQuestion: How much light?\n\n### Answer:\npartial shade " + i);
        }
        BpeTrainer.builder().vocabSize(300).isolatedSpaces(true).build().train(corpus).save(dir);
        assertThat(ByteLevel.preTokenize("light: partial shade\n\npartial", false, true))
                .containsExactly("light", ":", " ", "partial", " ", "shade", "\n\n", "partial");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            int[] inContext = tok.encode("light: partial shade");
            int[] answer = tok.encode("partial shade");
            int[] afterNewline = tok.encode("\npartial shade");
            assertThat(java.util.Arrays.copyOfRange(inContext, inContext.length - answer.length, inContext.length)).isEqualTo(answer);
            assertThat(java.util.Arrays.copyOfRange(afterNewline, 1, afterNewline.length)).isEqualTo(answer);
            assertThat(tok.decode(inContext, true)).isEqualTo("light: partial shade");
            String text = "price: $94.50\n\n### Answer:\n$94.50 and   three spaces\tand a tab";
            assertThat(tok.decode(tok.encode(text), true)).isEqualTo(text);
        }
    }

    @Test
    void encodeAddsNothingAndNeverTruncatesOrPads() {
        try (HfTokenizer tok = HfTokenizer.load(dir.resolve("tokenizer.json"))) {
            StringBuilder sb = new StringBuilder();
            Random r = new Random(1);
            while (sb.length() < 20_000) {
                sb.append((char) ('a' + r.nextInt(26))).append(r.nextInt(5) == 0 ? " " : "");
            }
            String longText = sb.toString();
            int[] ids = tok.encode(longText);
            assertThat(ids.length).as("far beyond DJL's default 512").isGreaterThan(3000);
            assertThat(tok.decode(ids)).isEqualTo(longText);
            int[] shortIds = tok.encode("sun");
            assertThat(shortIds).doesNotContain(0); // no padding with id 0, no eos added
            assertThat(tok.decode(shortIds)).isEqualTo("sun");
            assertThat(tok.djlSettings()).doesNotContain("truncation=LONGEST_FIRST");
        }
    }

    @Test
    void truncationAndPaddingInTheFilesOrConfigAreOverridden() throws Exception {
        // A tokenizer.json that asks for truncation at 16 and padding, next to a config saying 512.
        Path other = Files.createDirectories(dir.resolve("configured"));
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bpe.toTokenizerJson());
        root.set("truncation", json.readTree(
                "{\"direction\":\"Right\",\"max_length\":16,\"strategy\":\"LongestFirst\",\"stride\":0}"));
        root.set("padding", json.readTree("{\"strategy\":{\"Fixed\":64},\"direction\":\"Right\",\"pad_to_multiple_of\":null,"
                + "\"pad_id\":0,\"pad_type_id\":0,\"pad_token\":\"<|endoftext|>\"}"));
        Files.writeString(other.resolve("tokenizer.json"), json.writeValueAsString(root));
        Files.writeString(other.resolve("tokenizer_config.json"),
                "{\"model_max_length\": 512, \"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\"}");
        try (HfTokenizer tok = HfTokenizer.load(other)) {
            String text = String.join(" ", corpus(30, 11));
            int[] ids = tok.encode(text);
            assertThat(ids.length).isGreaterThan(600);
            assertThat(tok.decode(ids)).isEqualTo(text);
            assertThat(tok.encode("sun")).hasSize(1);
        }
    }

    @Test
    void eosIsDecodedOrSkipped() {
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            int[] hi = tok.encode("hiking");
            int[] withEos = java.util.Arrays.copyOf(hi, hi.length + 1);
            withEos[hi.length] = tok.eosTokenId();
            assertThat(tok.decode(withEos)).isEqualTo("hiking<|endoftext|>");
            assertThat(tok.decode(withEos, true)).isEqualTo("hiking");
            assertThatThrownBy(() -> tok.decode(new int[] {600})).hasMessageContaining("outside the vocabulary");
        }
    }

    @Test
    void countsTokensForLangchain4jMemories() {
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            TokenizerTokenCountEstimator est = TokenizerTokenCountEstimator.of(tok);
            String q = "which hiking pants have a pocket?";
            assertThat(est.estimateTokenCountInText(q)).isEqualTo(tok.encode(q).length);
            List<ChatMessage> msgs = List.of(UserMessage.from(q), AiMessage.from("the merino ones"));
            assertThat(est.estimateTokenCountInMessages(msgs))
                    .isEqualTo(tok.encode(q).length + tok.encode("the merino ones").length);
            TokenizerTokenCountEstimator templated = TokenizerTokenCountEstimator.builder().tokenizer(tok)
                    .renderer(m -> "### " + m.type() + ":\n" + TokenizerTokenCountEstimator.plainText(m) + "\n")
                    .perMessageOverhead(1).build();
            assertThat(templated.estimateTokenCountInMessage(msgs.get(0)))
                    .isEqualTo(tok.encode("### USER:\n" + q + "\n").length + 1);
        }
    }

    @Test
    void trainsOnCorpusFilesAndKnowsItsSpecialTokens() throws Exception {
        Path corpusDir = Files.createDirectories(dir.resolve("corpus"));
        List<String> texts = corpus(400, 7);
        Files.writeString(corpusDir.resolve("a.txt"), String.join("", texts.subList(0, 200)));
        Files.writeString(corpusDir.resolve("b.txt"), String.join("", texts.subList(200, 400)));
        Files.writeString(corpusDir.resolve("ignored.bin"), "zzzz");
        List<Path> files = BpeTrainer.corpusFiles(corpusDir, ".txt");
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("a.txt", "b.txt");
        BpeVocabulary fromFiles = BpeTrainer.builder().vocabSize(600)
                .specialTokens(List.of("<|endoftext|>", "<|pad|>")).build().trainOnFiles(files);
        assertThat(fromFiles.vocab().subList(0, 2)).containsExactly("<|endoftext|>", "<|pad|>");
        Path out = dir.resolve("two-specials");
        fromFiles.save(out);
        try (HfTokenizer tok = HfTokenizer.load(out)) {
            assertThat(tok.specialTokens()).containsExactly("<|endoftext|>", "<|pad|>");
            assertThat(tok.isSpecial(1)).isTrue();
            assertThat(tok.isSpecial(2)).isFalse();
            assertThat(tok.tokenToId("<|pad|>")).hasValue(1);
        }
    }

    @Test
    void missingFileAndTooSmallVocabularyAreExplained() {
        assertThatThrownBy(() -> HfTokenizer.load(dir.resolve("nope")))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("no tokenizer.json");
        assertThatThrownBy(() -> BpeTrainer.builder().vocabSize(100).build())
                .hasMessageContaining("at least 257");
    }

    @Test
    void trainsAFewMegabytesInSeconds() {
        // ~3.5 MB of pseudo-words from syllables: tens of thousands of distinct words, as in real text
        String[] syl = {"ka", "lo", "mer", "in", "tra", "il", "ve", "st", "on", "ar", "quo", "zu", "pe", "rin", "do", "ö"};
        Random r = new Random(3);
        List<String> big = new ArrayList<>();
        for (int d = 0; d < 6000; d++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 100; w++) {
                int n = 1 + r.nextInt(4);
                for (int s = 0; s < n; s++) {
                    sb.append(syl[Math.min(syl.length - 1, (int) Math.abs(r.nextGaussian() * 5))]);
                }
                sb.append(r.nextInt(12) == 0 ? ", " : " ");
            }
            big.add(sb.toString());
        }
        long chars = big.stream().mapToLong(String::length).sum();
        long t0 = System.nanoTime();
        BpeVocabulary v = BpeTrainer.builder().vocabSize(4096).build().train(big);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(chars).isGreaterThan(3_000_000);
        assertThat(v.size()).isEqualTo(4096);
        assertThat(seconds).isLessThan(30);
    }
}
