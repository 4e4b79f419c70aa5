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
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The reading corpus tokenized into length-grouped batches, in curriculum order: contexts of one record
 * and dense copying first, then up to four records (what a retrieval prompt shows), then up to eight
 * ({@link #STAGES}).
 *
 * <p>Each document is its own sequence: a question can only be answered from its own context, never from
 * a neighbour's records, as in a packed block. Within a stage the documents are sorted by length and cut
 * into batches, so a batch pads only a few tokens (Hugging Face's {@code group_by_length}); the batches
 * are then shuffled. In reading and grading documents the loss is taken from the question on (the
 * question names what the context holds, so copying it already trains the lookup, and the answer is the
 * lookup), not on the records, whose values are random and cannot be predicted; prose is learned whole.
 * {@link #sha256()} identifies the exact text, for a checkpoint's provenance.
 */
public final class GroupedCorpus {

    /**
     * Curriculum: (fraction of the batches, most records per context, percent of the documents that are
     * {@link ReadingCorpus#copying() copying exercises}). The first stage's short contexts make cheap steps
     * (about a second for 32 documents at the base shape, against ten for eight records), and its dense copying
     * is where the heads that every lookup needs grow (more than a thousand steps of 32); later stages keep
     * some copying so it is not unlearned.
     */
    public static final double[][] STAGES = {{0.72, 1, 75}, {0.16, 4, 15}, {0.12, 8, 10}};
    /** One document in ten is prose, learned whole. */
    static final int PROSE_IN_TEN = 1;

    private final TokenizedDataset examples;
    private final String sha256;
    private final long documents;
    private final long tokens;

    private GroupedCorpus(TokenizedDataset examples, String sha256, long documents, long tokens) {
        this.examples = examples;
        this.sha256 = sha256;
        this.documents = documents;
        this.tokens = tokens;
    }

    /** {@code batches} batches of {@code batchSize} documents of at most {@code maxLength} tokens from the corpus of {@code seed}. */
    public static GroupedCorpus build(long seed, int batches, int batchSize, int maxLength, TrellisTokenizer tokenizer) {
        return build(seed, ReadingCorpus.VERSION, batches, batchSize, maxLength, tokenizer);
    }

    /** The same from version {@code version} of the {@link ReadingCorpus}. */
    public static GroupedCorpus build(long seed, int version, int batches, int batchSize, int maxLength,
                                      TrellisTokenizer tokenizer) {
        if (batches < 1 || batchSize < 1 || maxLength < 64) {
            throw new IllegalArgumentException("a corpus needs at least one batch of at least one document of up to 64 or more"
                    + " tokens; got " + batches + " batches of " + batchSize + ", max length " + maxLength);
        }
        ReadingCorpus corpus = new ReadingCorpus(seed, version);
        Random order = new Random(seed * 31 + 7);
        MessageDigest digest = sha256Digest();
        int eos = tokenizer.eosTokenId();
        List<TokenizedExample> out = new ArrayList<>(batches * batchSize);
        long docs = 0;
        long tokens = 0;
        int done = 0;
        for (int stage = 0; stage < STAGES.length; stage++) {
            int stageBatches = stage == STAGES.length - 1 ? batches - done
                    : Math.min(batches - done, (int) Math.round(STAGES[stage][0] * batches));
            if (stageBatches <= 0) {
                continue;
            }
            int maxRecords = (int) STAGES[stage][1];
            int copyPercent = (int) STAGES[stage][2];
            List<TokenizedExample> pool = new ArrayList<>();
            while (pool.size() < stageBatches * batchSize) {
                boolean prose = order.nextInt(10) < PROSE_IN_TEN;
                String text = prose ? corpus.prose()
                        : order.nextInt(100) < copyPercent ? corpus.copying().text() : corpus.nextDocument(maxRecords);
                digest.update(text.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                docs++;
                TokenizedExample e = prose ? whole(text, tokenizer, eos) : fromQuestion(text, tokenizer, eos);
                if (e.length() <= maxLength) {
                    pool.add(e);
                }
            }
            pool.sort(Comparator.comparingInt(TokenizedExample::length));
            List<List<TokenizedExample>> stageGroups = new ArrayList<>();
            for (int i = 0; i < pool.size(); i += batchSize) {
                stageGroups.add(pool.subList(i, i + batchSize));
            }
            Collections.shuffle(stageGroups, order);
            for (List<TokenizedExample> g : stageGroups) {
                out.addAll(g);
                for (TokenizedExample e : g) {
                    tokens += e.length();
                }
            }
            done += stageBatches;
        }
        PreparationSummary summary = new PreparationSummary("reading corpus seed " + seed, ReadingCorpus.TEMPLATE.toMap(),
                maxLength, Side.RIGHT, false, false, (int) Math.min(Integer.MAX_VALUE, docs), out.size(), 0, 0, tokens,
                out.stream().mapToLong(TokenizedExample::labelCount).sum());
        return new GroupedCorpus(new TokenizedDataset(out, eos, summary, List.of()),
                HexFormat.of().formatHex(digest.digest()), docs, tokens);
    }

    /** Prose: every token counts. */
    private static TokenizedExample whole(String text, TrellisTokenizer tokenizer, int eos) {
        int[] ids = withEos(tokenizer.encode(text), eos);
        return new TokenizedExample(ids, ids.clone());
    }

    /** A reading or grading document: the loss is taken from its question line on. */
    static TokenizedExample fromQuestion(String text, TrellisTokenizer tokenizer, int eos) {
        int at = Math.max(text.lastIndexOf("\nQuestion: "), text.lastIndexOf("\nQUESTION: "));
        int[] context = at < 0 ? new int[0] : tokenizer.encode(text.substring(0, at + 1));
        int[] rest = withEos(tokenizer.encode(at < 0 ? text : text.substring(at + 1)), eos);
        int[] ids = Arrays.copyOf(context, context.length + rest.length);
        System.arraycopy(rest, 0, ids, context.length, rest.length);
        int[] labels = ids.clone();
        Arrays.fill(labels, 0, context.length, TokenizedExample.IGNORE_INDEX);
        return new TokenizedExample(ids, labels);
    }

    private static int[] withEos(int[] ids, int eos) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
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

    /** The documents, batch by batch (consecutive runs of the batch size have similar lengths). */
    public TokenizedDataset examples() {
        return examples;
    }

    /** SHA-256 of every document's text, in order. */
    public String sha256() {
        return sha256;
    }

    /** Documents generated (some too long for the maximum length are dropped). */
    public long documents() {
        return documents;
    }

    /** Tokens in all examples (without padding). */
    public long tokens() {
        return tokens;
    }

    /** Tokens in the first {@code n} examples. */
    public long tokens(int n) {
        long t = 0;
        for (int i = 0; i < Math.min(n, examples.size()); i++) {
            t += examples.get(i).length();
        }
        return t;
    }
}
