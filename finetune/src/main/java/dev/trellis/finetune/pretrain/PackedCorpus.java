package dev.trellis.finetune.pretrain;

import dev.trellis.finetune.data.PreparationSummary;
import dev.trellis.finetune.data.Side;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;

/**
 * The reading corpus tokenized and packed into fixed-length blocks, in curriculum order: contexts of one
 * record first, then up to three, then up to eight ({@link #STAGES}).
 *
 * <p>No compute goes to padding, and no reading example is cut in two: each block takes whole
 * reading and grading documents (each followed by end-of-text) while they fit, looking a few documents
 * ahead, and the few tokens left are filled with prose, which reads fine when cut. The loss is taken on
 * every token. {@link #sha256()} identifies the exact text, for a checkpoint's provenance.
 */
public final class PackedCorpus {

    /** Curriculum: (fraction of the blocks, most records per context). */
    public static final double[][] STAGES = {{0.08, 1}, {0.22, 3}, {0.70, 8}};
    private static final int LOOKAHEAD = 8;

    private final TokenizedDataset blocks;
    private final String sha256;
    private final long documents;

    private PackedCorpus(TokenizedDataset blocks, String sha256, long documents) {
        this.blocks = blocks;
        this.sha256 = sha256;
        this.documents = documents;
    }

    /** {@code blockCount} blocks of {@code blockLength} tokens from the corpus of {@code seed}. */
    public static PackedCorpus build(long seed, int blockCount, int blockLength, TrellisTokenizer tokenizer) {
        if (blockCount < 1 || blockLength < 64) {
            throw new IllegalArgumentException("a packed corpus needs at least one block of at least 64 tokens; got "
                    + blockCount + " blocks of " + blockLength);
        }
        ReadingCorpus corpus = new ReadingCorpus(seed);
        MessageDigest digest = sha256Digest();
        int eos = tokenizer.eosTokenId();
        List<TokenizedExample> out = new ArrayList<>(blockCount);
        LinkedList<int[]> pending = new LinkedList<>();
        int[] prose = new int[0];
        int prosePos = 0;
        long docs = 0;
        int stage = 0;
        double stageEnd = STAGES[0][0] * blockCount;
        while (out.size() < blockCount) {
            while (out.size() >= stageEnd && stage < STAGES.length - 1) {
                stage++;
                stageEnd += STAGES[stage][0] * blockCount;
                pending.clear(); // the next stage starts with its own contexts
            }
            int maxRecords = (int) STAGES[stage][1];
            int[] block = new int[blockLength];
            int fill = 0;
            int misses = 0;
            while (misses < LOOKAHEAD) {
                while (pending.size() < LOOKAHEAD) {
                    String text = corpus.nextDocument(maxRecords);
                    digest.update(text.getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    docs++;
                    int[] ids = withEos(tokenizer.encode(text), eos);
                    if (ids.length <= blockLength) {
                        pending.add(ids);
                    }
                }
                boolean placed = false;
                for (Iterator<int[]> it = pending.iterator(); it.hasNext(); ) {
                    int[] doc = it.next();
                    if (fill + doc.length <= blockLength) {
                        System.arraycopy(doc, 0, block, fill, doc.length);
                        fill += doc.length;
                        it.remove();
                        placed = true;
                        break;
                    }
                }
                misses = placed ? 0 : LOOKAHEAD;
            }
            while (fill < blockLength) {
                if (prosePos == prose.length) {
                    String text = corpus.prose();
                    digest.update(text.getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    docs++;
                    prose = withEos(tokenizer.encode(text), eos);
                    prosePos = 0;
                }
                int n = Math.min(blockLength - fill, prose.length - prosePos);
                System.arraycopy(prose, prosePos, block, fill, n);
                fill += n;
                prosePos += n;
            }
            out.add(new TokenizedExample(block, block.clone()));
        }
        long tokens = (long) blockCount * blockLength;
        PreparationSummary summary = new PreparationSummary("reading corpus seed " + seed, ReadingCorpus.TEMPLATE.toMap(),
                blockLength, Side.RIGHT, true, true, (int) Math.min(Integer.MAX_VALUE, docs), blockCount, 0, 0, tokens, tokens);
        return new PackedCorpus(new TokenizedDataset(out, eos, summary, List.of()), HexFormat.of().formatHex(digest.digest()),
                docs);
    }

    private static int[] withEos(int[] ids, int eos) {
        int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eos;
        return out;
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The blocks, in curriculum order. */
    public TokenizedDataset blocks() {
        return blocks;
    }

    /** SHA-256 of every document's text, in order. */
    public String sha256() {
        return sha256;
    }

    /** Documents generated (reading, grading and prose). */
    public long documents() {
        return documents;
    }
}
