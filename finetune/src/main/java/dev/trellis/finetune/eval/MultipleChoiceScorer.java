package dev.trellis.finetune.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Multiple-choice scoring as EleutherAI's lm-evaluation-harness does it for ARC: each choice is
 * a continuation {@code " " + choice} of the context {@code "Question: ...\nAnswer:"}; its
 * log-likelihood is the sum of the log-softmax of its tokens under the model. {@code acc} picks the
 * choice with the highest log-likelihood, {@code acc_norm} the highest log-likelihood divided by
 * the choice's length in characters.
 *
 * <p>Tokenisation follows the harness' {@code _encode_pair}: trailing whitespace of the context
 * moves to the front of the continuation; context and context+continuation are encoded, and the
 * continuation tokens are the whole encoding after the context's token count (so a merge across
 * the boundary is scored as the harness scores it). An empty context is replaced by the
 * end-of-text token. Inputs longer than the model's context keep their last tokens.
 *
 * <pre>{@code
 * MultipleChoiceResult r = new MultipleChoiceScorer(model, tokenizer)
 *         .score(MultipleChoiceQuestion.readJsonl(Path.of("arc_style.jsonl")));
 * System.out.println(r); // acc 0.4250 ± 0.0791, acc_norm ...
 * }</pre>
 */
public final class MultipleChoiceScorer {

    /** The harness' ARC prompt. */
    public static final Function<MultipleChoiceQuestion, String> ARC_CONTEXT =
            q -> "Question: " + q.question() + "\nAnswer:";

    private final CausalLM model;
    private final TrellisTokenizer tokenizer;
    private final Function<MultipleChoiceQuestion, String> context;
    private final String delimiter;

    /** A scorer with the ARC prompt and a single-space delimiter before each choice. */
    public MultipleChoiceScorer(CausalLM model, TrellisTokenizer tokenizer) {
        this(model, tokenizer, ARC_CONTEXT, " ");
    }

    /** A scorer with a custom prompt ({@code context}) and delimiter between context and choice. */
    public MultipleChoiceScorer(CausalLM model, TrellisTokenizer tokenizer,
                                Function<MultipleChoiceQuestion, String> context, String delimiter) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.context = Objects.requireNonNull(context, "context");
        this.delimiter = Objects.requireNonNull(delimiter, "delimiter");
    }

    /** Scores every question; the result holds acc and acc_norm. */
    public MultipleChoiceResult score(List<MultipleChoiceQuestion> questions) {
        List<ChoiceScore> out = new ArrayList<>(questions.size());
        for (MultipleChoiceQuestion q : questions) {
            out.add(score(q));
        }
        return new MultipleChoiceResult(out);
    }

    /** Scores one question: all its choices in one right-padded batch (padding after a sequence cannot change it). */
    public ChoiceScore score(MultipleChoiceQuestion question) {
        String ctx = context.apply(question);
        int n = question.choices().size();
        List<String> continuations = new ArrayList<>(n);
        for (String choice : question.choices()) {
            continuations.add(delimiter + choice);
        }
        double[][] r = logLikelihoods(ctx, continuations, question.id());
        double[] ll = new double[n];
        boolean[] greedy = new boolean[n];
        int best = 0;
        int bestNorm = 0;
        double bestNormValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            ll[i] = r[i][0];
            greedy[i] = r[i][1] > 0;
            if (ll[i] > ll[best]) {
                best = i;
            }
            double norm = ll[i] / Math.max(1, question.choices().get(i).length());
            if (norm > bestNormValue) {
                bestNormValue = norm;
                bestNorm = i;
            }
        }
        return new ChoiceScore(question, ll, greedy, best, bestNorm);
    }

    /**
     * Log-likelihood of {@code continuation} after {@code context}: the harness'
     * {@code loglikelihood} request. Returns {sum of log-probabilities, 1 if greedy else 0}.
     */
    public double[] logLikelihood(String context, String continuation) {
        return logLikelihoods(context, List.of(continuation), "(direct request)")[0];
    }

    private double[][] logLikelihoods(String context, List<String> continuations, String id) {
        int maxLength = model.config().maxPositionEmbeddings();
        int n = continuations.size();
        long[][] inputs = new long[n][];
        int[][] targets = new int[n][];
        int width = 0;
        for (int c = 0; c < n; c++) {
            int[][] pair = encodePair(context, continuations.get(c));
            int[] ctx = pair[0];
            int[] cont = pair[1];
            if (cont.length == 0) {
                throw new EvaluationException("question " + id + ": continuation '" + continuations.get(c)
                        + "' encodes to no tokens after the context; give non-empty choices");
            }
            int[] all = new int[ctx.length + cont.length];
            System.arraycopy(ctx, 0, all, 0, ctx.length);
            System.arraycopy(cont, 0, all, ctx.length, cont.length);
            // the harness keeps the last max_length + 1 tokens and drops the final one as input
            int from = Math.max(0, all.length - (maxLength + 1));
            long[] input = new long[all.length - 1 - from];
            for (int i = 0; i < input.length; i++) {
                input[i] = all[from + i];
            }
            if (cont.length > input.length) {
                throw new EvaluationException("question " + id + ": choice " + c + " alone has " + cont.length
                        + " tokens, more than the model's context of " + maxLength);
            }
            inputs[c] = input;
            targets[c] = cont;
            width = Math.max(width, input.length);
        }
        long[][] batch = new long[n][width];
        for (int c = 0; c < n; c++) {
            java.util.Arrays.fill(batch[c], tokenizer.padTokenId());
            System.arraycopy(inputs[c], 0, batch[c], 0, inputs[c].length);
        }
        double[][] out = new double[n][];
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray logProbs = model.forward(m.create(batch)).logSoftmax(-1);
            int vocab = (int) logProbs.getShape().get(2);
            for (int c = 0; c < n; c++) {
                int[] cont = targets[c];
                int end = inputs[c].length;
                float[] rows = logProbs.get(c).get((end - cont.length) + ":" + end).toFloatArray();
                out[c] = sum(rows, cont, vocab);
            }
        }
        return out;
    }

    private static double[] sum(float[] rows, int[] cont, int vocab) {
        double sum = 0;
        boolean greedy = true;
        for (int t = 0; t < cont.length; t++) {
            int offset = t * vocab;
            int target = cont[t];
            if (target < 0 || target >= vocab) {
                throw new EvaluationException("token id " + target + " is outside the model's vocabulary of "
                        + vocab + "; the tokenizer does not belong to this model");
            }
            float value = rows[offset + target];
            sum += value;
            for (int v = 0; v < vocab && greedy; v++) {
                if (rows[offset + v] > value) {
                    greedy = false;
                }
            }
        }
        return new double[] {sum, greedy ? 1 : 0};
    }

    /** The harness' {@code _encode_pair}: context tokens and continuation tokens. */
    int[][] encodePair(String context, String continuation) {
        if (context.isEmpty()) {
            return new int[][] {{tokenizer.eosTokenId()}, tokenizer.encode(continuation)};
        }
        String stripped = context.stripTrailing();
        int spaces = context.length() - stripped.length();
        if (spaces > 0) {
            continuation = context.substring(stripped.length()) + continuation;
            context = stripped;
        }
        int[] whole = tokenizer.encode(context + continuation);
        int[] ctx = tokenizer.encode(context);
        int split = Math.min(ctx.length, whole.length);
        return new int[][] {Arrays.copyOf(whole, split), Arrays.copyOfRange(whole, split, whole.length)};
    }
}
