package dev.trellis.finetune.tokenizer;

import dev.trellis.framework.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The result of {@link BpeTrainer}: a byte-level BPE vocabulary (token strings by id), its merges in
 * rank order, the special tokens (ids 0..n-1), and whether digits were split before merging.
 * {@link #save(Path)} writes it in Hugging Face's
 * format, so DJL's {@code HuggingFaceTokenizer}, Python's {@code tokenizers} and
 * {@code transformers.AutoTokenizer} load it.
 */
public record BpeVocabulary(List<String> vocab, List<String> merges, List<String> specialTokens, boolean individualDigits,
                            boolean isolatedSpaces) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BpeVocabulary {
        vocab = List.copyOf(vocab);
        merges = List.copyOf(merges);
        specialTokens = List.copyOf(specialTokens);
    }

    public int size() {
        return vocab.size();
    }

    /** The {@code tokenizer.json} document (model BPE, ByteLevel pre-tokenizer, decoder and post-processor). */
    public String toTokenizerJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specialTokens.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", specialTokens.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        if (individualDigits || isolatedSpaces) {
            ObjectNode sequence = root.putObject("pre_tokenizer");
            sequence.put("type", "Sequence");
            ArrayNode steps = sequence.putArray("pretokenizers");
            if (isolatedSpaces) {
                ObjectNode split = steps.addObject();
                split.put("type", "Split");
                split.putObject("pattern").put("Regex", "\\s+");
                split.put("behavior", "Isolated");
                split.put("invert", false);
            }
            if (individualDigits) {
                steps.addObject().put("type", "Digits").put("individual_digits", true);
            }
            byteLevel(steps.addObject(), false, true);
        } else {
            byteLevel(root.putObject("pre_tokenizer"), false, true);
        }
        // GPT-2's post-processor only fixes offsets; it adds no tokens, so encodings stay plain.
        byteLevel(root.putObject("post_processor"), true, false);
        byteLevel(root.putObject("decoder"), true, true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void byteLevel(ObjectNode node, boolean addPrefixSpace, boolean trimOffsets) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (created if
     * needed), each atomically. The first special token is declared as BOS, EOS and UNK, like GPT-2.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve("tokenizer.json"), toTokenizerJson().getBytes(StandardCharsets.UTF_8));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("tokenizer_class", "GPT2TokenizerFast");
            if (!specialTokens.isEmpty()) {
                config.put("bos_token", specialTokens.get(0));
                config.put("eos_token", specialTokens.get(0));
                config.put("unk_token", specialTokens.get(0));
            }
            config.put("add_prefix_space", false);
            // Keeps transformers from rewriting " ." to "." when decoding: round trips stay exact.
            config.put("clean_up_tokenization_spaces", false);
            AtomicFiles.write(dir.resolve("tokenizer_config.json"), JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer to " + dir, e);
        }
    }
}
