package dev.trellis.finetune.generate;

import java.util.List;
import java.util.Objects;

/**
 * How {@link Generator} decodes, with Hugging Face {@code generate()}'s meanings: a temperature of
 * 0 is greedy decoding; {@code topK} 0 and {@code topP} 1 switch those filters off; a repetition
 * penalty above 1 discourages tokens already in the prompt or the output (CTRL's rule: positive
 * logits divided, negative multiplied). Generation stops at the end-of-sequence token, at the first
 * stop sequence (which is cut from the text, as OpenAI's API does), or after {@code maxNewTokens}.
 *
 * <pre>{@code
 * GenerationConfig config = GenerationConfig.builder().maxNewTokens(64).temperature(0.7).topP(0.9).seed(42).build();
 * }</pre>
 */
public final class GenerationConfig {

    private final int maxNewTokens;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final double repetitionPenalty;
    private final List<String> stopSequences;
    private final Long seed;
    private final Integer eosTokenId;
    private final boolean stopAtEos;
    private final JsonConstraint jsonConstraint;
    private final SpanConstraint spanConstraint;
    private final boolean useCache;

    private GenerationConfig(Builder b) {
        this.maxNewTokens = b.maxNewTokens;
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.repetitionPenalty = b.repetitionPenalty;
        this.stopSequences = List.copyOf(b.stopSequences);
        this.seed = b.seed;
        this.eosTokenId = b.eosTokenId;
        this.stopAtEos = b.stopAtEos;
        this.jsonConstraint = b.jsonConstraint;
        this.spanConstraint = b.spanConstraint;
        this.useCache = b.useCache;
    }

    /** Greedy decoding of up to 128 tokens. */
    public static GenerationConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.repetitionPenalty = repetitionPenalty;
        b.stopSequences = stopSequences;
        b.seed = seed;
        b.eosTokenId = eosTokenId;
        b.stopAtEos = stopAtEos;
        b.jsonConstraint = jsonConstraint;
        b.spanConstraint = spanConstraint;
        b.useCache = useCache;
        return b;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public double temperature() {
        return temperature;
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public int topK() {
        return topK;
    }

    public double topP() {
        return topP;
    }

    public double repetitionPenalty() {
        return repetitionPenalty;
    }

    public List<String> stopSequences() {
        return stopSequences;
    }

    /** The sampling seed, or null for a fresh one per call. Prompt {@code i} of a batch samples with {@code seed + i}. */
    public Long seed() {
        return seed;
    }

    /** The end-of-sequence id to stop at, or null for the tokenizer's. */
    public Integer eosTokenId() {
        return eosTokenId;
    }

    public boolean stopAtEos() {
        return stopAtEos;
    }

    /** The JSON the output is held to, or null for free text. */
    public JsonConstraint jsonConstraint() {
        return jsonConstraint;
    }

    /** Grounded answers: spans of a source text only (null: unconstrained). */
    public SpanConstraint spanConstraint() {
        return spanConstraint;
    }

    /** Whether decoding reuses keys and values (the KV cache) instead of re-running the whole sequence. */
    public boolean useCache() {
        return useCache;
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK
                + ", topP=" + topP + ", repetitionPenalty=" + repetitionPenalty + ", stop=" + stopSequences
                + ", seed=" + seed + ", json=" + (jsonConstraint != null) + ", cache=" + useCache + "]";
    }

    /** Builder for {@link GenerationConfig}; every setter validates its argument. */
    public static final class Builder {
        private int maxNewTokens = 128;
        private double temperature = 0;
        private int topK = 0;
        private double topP = 1.0;
        private double repetitionPenalty = 1.0;
        private List<String> stopSequences = List.of();
        private Long seed;
        private Integer eosTokenId;
        private boolean stopAtEos = true;
        private JsonConstraint jsonConstraint;
        private SpanConstraint spanConstraint;
        private boolean useCache = true;

        private Builder() {
        }

        public Builder maxNewTokens(int maxNewTokens) {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
            }
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /** 0 for greedy decoding; otherwise logits are divided by it before sampling. */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /** Keep only the {@code topK} most likely tokens; 0 keeps all. */
        public Builder topK(int topK) {
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
            }
            this.topK = topK;
            return this;
        }

        /** Nucleus sampling: keep the smallest set of tokens whose probability reaches {@code topP}; 1 keeps all. */
        public Builder topP(double topP) {
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
            }
            this.topP = topP;
            return this;
        }

        /** 1 is off; 1.1 to 1.3 are usual. */
        public Builder repetitionPenalty(double repetitionPenalty) {
            if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
                throw new IllegalArgumentException("repetitionPenalty must be a finite number > 0 (1 = off), got "
                        + repetitionPenalty);
            }
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder stopSequences(List<String> stopSequences) {
            Objects.requireNonNull(stopSequences, "stopSequences");
            for (String s : stopSequences) {
                if (s == null || s.isEmpty()) {
                    throw new IllegalArgumentException("stop sequences must be non-empty strings, got " + stopSequences);
                }
            }
            this.stopSequences = List.copyOf(stopSequences);
            return this;
        }

        public Builder stopSequences(String... stopSequences) {
            return stopSequences(List.of(stopSequences));
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Stop at this id instead of the tokenizer's end-of-sequence token. */
        public Builder eosTokenId(int eosTokenId) {
            if (eosTokenId < 0) {
                throw new IllegalArgumentException("eosTokenId must be >= 0, got " + eosTokenId);
            }
            this.eosTokenId = eosTokenId;
            return this;
        }

        /** False to ignore the end-of-sequence token (benchmarks that need exactly maxNewTokens). */
        public Builder stopAtEos(boolean stopAtEos) {
            this.stopAtEos = stopAtEos;
            return this;
        }

        /** Hold the output to this JSON constraint; null for free text. */
        public Builder jsonConstraint(JsonConstraint jsonConstraint) {
            this.jsonConstraint = jsonConstraint;
            return this;
        }

        /** Only spans copied from the constraint's source (or its fixed answers); not together with a JSON constraint. */
        public Builder spanConstraint(SpanConstraint spanConstraint) {
            this.spanConstraint = spanConstraint;
            return this;
        }

        /** False re-runs the whole sequence every step (the baseline the KV cache is measured against). */
        public Builder useCache(boolean useCache) {
            this.useCache = useCache;
            return this;
        }

        public GenerationConfig build() {
            if (jsonConstraint != null && spanConstraint != null) {
                throw new IllegalArgumentException("a JSON constraint and a span constraint cannot both hold; pass one");
            }
            return new GenerationConfig(this);
        }
    }
}
