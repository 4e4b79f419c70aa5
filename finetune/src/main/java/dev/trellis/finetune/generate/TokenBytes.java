package dev.trellis.finetune.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.tokenizer.ByteLevel;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;

/**
 * The exact bytes each token id stands for, so generation can stream text without splitting a
 * UTF-8 character and constrained decoding can check tokens byte by byte.
 *
 * <p>Decoding a single byte-level token through the tokenizer would turn half a character into
 * U+FFFD, so the bytes come from {@code tokenizer.json} itself: byte-level vocabularies (GPT-2,
 * Pythia, Trellis' own BPE) map each symbol back to its byte; SentencePiece-style vocabularies
 * ({@code ▁} for a space, {@code <0xNN>} byte fallback) are read accordingly. Special tokens have
 * no bytes ({@link #bytes(int)} returns null): they never appear in generated text.
 */
public final class TokenBytes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] BYTE_OF_SYMBOL = new int[1024];

    static {
        Arrays.fill(BYTE_OF_SYMBOL, -1);
        for (int b = 0; b < 256; b++) {
            BYTE_OF_SYMBOL[ByteLevel.charOf(b)] = b;
        }
    }

    private final byte[][] bytes;

    private TokenBytes(byte[][] bytes) {
        this.bytes = bytes;
    }

    /** Reads the token bytes of {@code tokenizer} (from its tokenizer.json when it has one). */
    public static TokenBytes of(TrellisTokenizer tokenizer) {
        if (tokenizer instanceof HfTokenizer hf) {
            return fromTokenizerJson(hf);
        }
        byte[][] out = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < out.length; id++) {
            String text = tokenizer.decode(new int[] {id}, true);
            out[id] = text.isEmpty() && id == tokenizer.eosTokenId() ? null : text.getBytes(StandardCharsets.UTF_8);
        }
        if (tokenizer.eosTokenId() < out.length) {
            out[tokenizer.eosTokenId()] = null;
        }
        return new TokenBytes(out);
    }

    private static TokenBytes fromTokenizerJson(HfTokenizer tokenizer) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizer.source().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizer.source() + ": " + e.getMessage(), e);
        }
        byte[][] out = new byte[tokenizer.vocabSize()][];
        boolean byteLevel = mentions(root.path("decoder"), "ByteLevel") || mentions(root.path("pre_tokenizer"), "ByteLevel");
        root.path("model").path("vocab").fields().forEachRemaining(e -> {
            int id = e.getValue().asInt();
            if (id >= 0 && id < out.length) {
                out[id] = byteLevel ? byteLevelBytes(e.getKey()) : pieceBytes(e.getKey());
            }
        });
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            if (id >= 0 && id < out.length) {
                out[id] = t.path("special").asBoolean(false) ? null
                        : t.path("content").asText().getBytes(StandardCharsets.UTF_8);
            }
        }
        out[tokenizer.eosTokenId()] = null;
        return new TokenBytes(out);
    }

    private static boolean mentions(JsonNode node, String type) {
        if (type.equals(node.path("type").asText())) {
            return true;
        }
        for (String list : new String[] {"decoders", "pretokenizers"}) {
            for (JsonNode child : node.path(list)) {
                if (mentions(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] byteLevelBytes(String symbols) {
        byte[] out = new byte[symbols.length()];
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            int b = c < BYTE_OF_SYMBOL.length ? BYTE_OF_SYMBOL[c] : -1;
            if (b < 0) {
                return symbols.getBytes(StandardCharsets.UTF_8); // not a byte-level symbol: take it literally
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static byte[] pieceBytes(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                // an ordinary token that looks like a byte token
            }
        }
        return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes of token {@code id}, or null for a special token. */
    public byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }

    /** Number of ids covered. */
    public int size() {
        return bytes.length;
    }
}
