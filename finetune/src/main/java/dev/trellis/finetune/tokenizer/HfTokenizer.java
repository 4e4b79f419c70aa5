package dev.trellis.finetune.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Any Hugging Face {@code tokenizer.json} on disk, through DJL's {@link HuggingFaceTokenizer}.
 *
 * <p>DJL's defaults truncate to 512 tokens and pad with id 0, and its builder adds the
 * post-processor's special tokens; all three are switched off here, so {@link #encode(String)}
 * returns exactly the tokens of the text. Special ids come from {@code tokenizer_config.json}
 * when present (as transformers reads them), else from the well-known names in
 * {@code added_tokens}. Nothing is downloaded.
 */
public final class HfTokenizer implements TrellisTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EOS_NAMES =
            List.of("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "<|im_end|>", "[SEP]");
    private static final List<String> BOS_NAMES = List.of("<s>", "<|begin_of_text|>", "<bos>", "[CLS]");

    private final HuggingFaceTokenizer djl;
    private final Path source;
    private final Map<String, Integer> tokenIds;
    private final Set<Integer> specialIds;
    private final int vocabSize;
    private final int eosId;
    private final int padId;
    private final OptionalInt bosId;

    private HfTokenizer(HuggingFaceTokenizer djl, Path source, Map<String, Integer> tokenIds,
                        Set<Integer> specialIds, int eosId, int padId, OptionalInt bosId) {
        this.djl = djl;
        this.source = source;
        this.tokenIds = tokenIds;
        this.specialIds = specialIds;
        this.vocabSize = tokenIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.eosId = eosId;
        this.padId = padId;
        this.bosId = bosId;
    }

    /** Loads {@code tokenizer.json} from a checkpoint directory or from the file itself. */
    public static HfTokenizer load(Path dirOrFile) {
        return load(dirOrFile, null);
    }

    /**
     * Loads a tokenizer and takes {@code eosToken} as its end-of-sequence token (for tokenizers that
     * do not name one); {@code null} means detect it.
     */
    public static HfTokenizer load(Path dirOrFile, String eosToken) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException("no tokenizer.json at " + file
                    + "; pass a checkpoint directory holding tokenizer.json, or train one with BpeTrainer");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerException("cannot parse " + file + " as JSON: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new HashMap<>();
        root.path("model").path("vocab").fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
        Set<Integer> special = new java.util.HashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            ids.put(t.path("content").asText(), t.path("id").asInt());
            if (t.path("special").asBoolean(false)) {
                special.add(t.path("id").asInt());
            }
        }
        if (ids.isEmpty()) {
            throw new TokenizerException(file + " has no model.vocab; is it a Hugging Face tokenizer.json?");
        }
        Map<String, String> config = readConfig(file.resolveSibling("tokenizer_config.json"));

        String eosName = eosToken != null ? eosToken
                : Optional.ofNullable(config.get("eos_token")).orElseGet(() -> firstPresent(EOS_NAMES, ids));
        if (eosName == null || !ids.containsKey(eosName)) {
            throw new TokenizerException(file + ": no end-of-sequence token "
                    + (eosName == null ? "found (looked for " + EOS_NAMES + ")" : "'" + eosName + "' in the vocabulary")
                    + "; call HfTokenizer.load(path, \"<your eos token>\")");
        }
        int eos = ids.get(eosName);
        String padName = config.get("pad_token");
        int pad = padName != null && ids.containsKey(padName) ? ids.get(padName) : eos;
        String bosName = Optional.ofNullable(config.get("bos_token")).orElseGet(() -> firstPresent(BOS_NAMES, ids));
        OptionalInt bos = bosName != null && ids.containsKey(bosName) ? OptionalInt.of(ids.get(bosName)) : OptionalInt.empty();

        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException("DJL could not load " + file + ": " + e.getMessage(), e);
        }
        return new HfTokenizer(djl, file, Map.copyOf(ids), Set.copyOf(special), eos, pad, bos);
    }

    private static String firstPresent(List<String> names, Map<String, Integer> ids) {
        return names.stream().filter(ids::containsKey).findFirst().orElse(null);
    }

    /** Reads the special-token names of tokenizer_config.json (plain strings or AddedToken objects). */
    private static Map<String, String> readConfig(Path config) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(config)) {
            return out;
        }
        try {
            JsonNode root = JSON.readTree(config.toFile());
            for (String key : List.of("eos_token", "bos_token", "pad_token")) {
                JsonNode v = root.get(key);
                if (v != null && v.isTextual()) {
                    out.put(key, v.asText());
                } else if (v != null && v.has("content")) {
                    out.put(key, v.get("content").asText());
                }
            }
        } catch (IOException e) {
            throw new TokenizerException("cannot parse " + config + " as JSON: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        Encoding enc = djl.encode(text, false, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary of " + source + " (size " + vocabSize + ")");
            }
            longs[i] = ids[i];
        }
        return djl.decode(longs, skipSpecialTokens);
    }

    @Override
    public int eosTokenId() {
        return eosId;
    }

    @Override
    public int padTokenId() {
        return padId;
    }

    @Override
    public OptionalInt bosTokenId() {
        return bosId;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt tokenToId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** True if {@code id} is one of the tokenizer's special tokens. */
    public boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    /** The strings of the special tokens (text containing them would encode to control ids). */
    public Set<String> specialTokens() {
        Set<String> out = new java.util.TreeSet<>();
        tokenIds.forEach((k, v) -> {
            if (specialIds.contains(v)) {
                out.add(k);
            }
        });
        return out;
    }

    /** The {@code tokenizer.json} this tokenizer was loaded from. */
    public Path source() {
        return source;
    }

    /** What DJL reports for truncation and padding (both must say they are off). */
    String djlSettings() {
        return "truncation=" + djl.getTruncation() + ", padding=" + djl.getPadding() + ", maxLength=" + djl.getMaxLength();
    }

    @Override
    public void close() {
        djl.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + source + ", vocab " + vocabSize + ", eos " + eosId + "]";
    }
}
