package dev.trellis.retrieval.qa;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.trellis.framework.chains.BaseChain;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Question answering over retrieved documents, LangChain's {@code RetrievalQA}: input key {@code query},
 * output key {@code result}, and with {@link Builder#returnSourceDocuments(boolean)} also
 * {@code source_documents} (a {@code List<Document>}). Works over any langchain4j {@link ChatModel} and
 * any {@link ContentRetriever} (or an {@link EmbeddingStore} with its {@link EmbeddingModel}).
 *
 * <pre>{@code
 * RetrievalQA qa = RetrievalQA.builder()
 *         .chatModel(llm)
 *         .retriever(retriever)
 *         .chainType(ChainType.STUFF)
 *         .returnSourceDocuments(true)
 *         .build();
 * Map<String, Object> out = qa.call(Map.of("query", "Which shirts have sun protection?"));
 *
 * RetrievalQA qa = RetrievalQA.fromChainType(llm, "stuff", retriever);   // the course's spelling
 * String answer = qa.run("Which shirts have sun protection?");
 * }</pre>
 *
 * <p>Chain types ({@link ChainType}): {@code stuff} puts every document into one prompt, joined by
 * {@link Builder#documentSeparator(String)}; {@code map_reduce} extracts the relevant text of each document
 * and answers from the extracts; {@code refine} answers from the first document and improves the answer
 * with each further one; {@code map_rerank} asks for an answer and a 0-100 score per document and returns
 * the best-scored answer (replies without a readable score are left out and reported; if no reply has
 * one, an {@link OutputParserException} quotes them all).
 *
 * <p>Long contexts: nothing is ever cut. Give the chain the model's context window with
 * {@link Builder#contextWindow(int, TokenCountEstimator)} and a prompt that would not fit fails with a
 * {@link ContextTooLongException} before it is sent. Without it the prompt is sent whole and a model
 * whose window it exceeds reports its own error (an OpenAI-compatible server answers HTTP 400, which
 * surfaces as the framework's {@code ModelHttpException}).
 *
 * <p>Every model call goes through the framework's tracing: {@code verbose(true)} prints each prompt,
 * and listeners ({@code Tracing.debug(true)}, {@code listener(...)}) see every call and the retrieved
 * documents.
 */
public final class RetrievalQA extends BaseChain {

    private static final Logger LOG = LoggerFactory.getLogger(RetrievalQA.class);

    public static final String DEFAULT_INPUT_KEY = "query";
    public static final String DEFAULT_OUTPUT_KEY = "result";
    public static final String SOURCE_DOCUMENTS_KEY = "source_documents";
    public static final String DEFAULT_DOCUMENT_SEPARATOR = "\n\n";
    /** Metadata key under which {@code source_documents} carry the retriever's score, when it gave one. */
    public static final String SCORE_METADATA_KEY = "score";

    private final ChatModel chatModel;
    private final ContentRetriever retriever;
    private final ChainType chainType;
    private final BasePromptTemplate prompt;
    private final BasePromptTemplate combinePrompt;
    private final BasePromptTemplate refinePrompt;
    private final PromptTemplate documentPrompt;
    private final String documentSeparator;
    private final boolean returnSourceDocuments;
    private final String responseIfNoDocsFound;
    private final String inputKey;
    private final String outputKey;
    private final int contextWindowTokens;
    private final TokenCountEstimator tokenCountEstimator;
    private final List<String> inputKeys;
    private final List<String> outputKeys;

    private RetrievalQA(Builder b) {
        super(b.chainName(), b.isVerbose(), b.listenerList());
        this.chatModel = require(b.chatModel, "chatModel(ChatModel): the model that writes the answers");
        this.retriever = b.retriever != null ? b.retriever : retrieverFromStore(b);
        this.chainType = b.chainType;
        this.documentPrompt = b.documentPrompt;
        this.documentSeparator = require(b.documentSeparator, "documentSeparator");
        this.returnSourceDocuments = b.returnSourceDocuments;
        this.responseIfNoDocsFound = b.responseIfNoDocsFound;
        this.inputKey = requireKey(b.inputKey, "inputKey");
        this.outputKey = requireKey(b.outputKey, "outputKey");
        if (inputKey.equals(outputKey) || outputKey.equals(SOURCE_DOCUMENTS_KEY) || inputKey.equals(SOURCE_DOCUMENTS_KEY)) {
            throw new ChainValidationException("RetrievalQA: input key '" + inputKey + "', output key '" + outputKey
                    + "' and '" + SOURCE_DOCUMENTS_KEY + "' must all differ");
        }
        this.prompt = checked(b.prompt != null ? b.prompt : defaultPrompt(chainType), "prompt",
                Set.of("context", "question"));
        this.combinePrompt = chainType == ChainType.MAP_REDUCE
                ? checked(b.combinePrompt != null ? b.combinePrompt : QAPrompts.MAP_REDUCE_COMBINE, "combinePrompt",
                        Set.of("summaries", "question"))
                : unused(b.combinePrompt, "combinePrompt", ChainType.MAP_REDUCE);
        this.refinePrompt = chainType == ChainType.REFINE
                ? checked(b.refinePrompt != null ? b.refinePrompt : QAPrompts.REFINE, "refinePrompt",
                        Set.of("context", "question", "existing_answer"))
                : unused(b.refinePrompt, "refinePrompt", ChainType.REFINE);
        if (b.contextWindowTokens != null && b.contextWindowTokens < 1) {
            throw new IllegalArgumentException("contextWindow maxTokens is " + b.contextWindowTokens + "; it must be positive");
        }
        this.contextWindowTokens = b.contextWindowTokens == null ? Integer.MAX_VALUE : b.contextWindowTokens;
        this.tokenCountEstimator = b.tokenCountEstimator;
        this.inputKeys = List.of(inputKey);
        this.outputKeys = returnSourceDocuments ? List.of(outputKey, SOURCE_DOCUMENTS_KEY) : List.of(outputKey);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** LangChain's {@code RetrievalQA.from_chain_type(llm, chain_type="stuff", retriever=...)}. */
    public static RetrievalQA fromChainType(ChatModel llm, String chainType, ContentRetriever retriever) {
        return builder().chatModel(llm).chainType(ChainType.fromName(chainType)).retriever(retriever).build();
    }

    /** {@link #fromChainType(ChatModel, String, ContentRetriever)} with the enum. */
    public static RetrievalQA fromChainType(ChatModel llm, ChainType chainType, ContentRetriever retriever) {
        return builder().chatModel(llm).chainType(chainType).retriever(retriever).build();
    }

    @Override
    public List<String> inputKeys() {
        return inputKeys;
    }

    @Override
    protected String answerKey() {
        return outputKey;
    }

    @Override
    public List<String> outputKeys() {
        return outputKeys;
    }

    public ChainType chainType() {
        return chainType;
    }

    public ContentRetriever retriever() {
        return retriever;
    }

    public ChatModel chatModel() {
        return chatModel;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        Object value = inputs.get(inputKey);
        if (!(value instanceof CharSequence) || value.toString().isBlank()) {
            throw new IllegalArgumentException("RetrievalQA input '" + inputKey + "' must be a non-blank question; got "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        String question = value.toString();
        List<Document> documents = retrieve(question, run);
        String answer = documents.isEmpty() && responseIfNoDocsFound != null ? responseIfNoDocsFound : switch (chainType) {
            case STUFF -> stuff(question, documents, run);
            case MAP_REDUCE -> mapReduce(question, documents, run);
            case REFINE -> refine(question, documents, run);
            case MAP_RERANK -> mapRerank(question, documents, run);
        };
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put(outputKey, answer);
        if (returnSourceDocuments) {
            out.put(SOURCE_DOCUMENTS_KEY, documents);
        }
        return out;
    }

    private List<Document> retrieve(String question, ChainRun run) {
        List<Content> contents = retriever.retrieve(Query.from(question));
        List<Document> documents = new ArrayList<>(contents.size());
        for (Content content : contents) {
            TextSegment segment = content.textSegment();
            Metadata metadata = segment.metadata().copy();
            Object score = content.metadata() == null ? null
                    : content.metadata().get(dev.langchain4j.rag.content.ContentMetadata.SCORE);
            if (score instanceof Number n && !metadata.containsKey(SCORE_METADATA_KEY)) {
                metadata.put(SCORE_METADATA_KEY, n.doubleValue());
            }
            documents.add(Document.from(segment.text(), metadata));
        }
        StringBuilder trace = new StringBuilder("Retrieved ").append(documents.size()).append(" document(s)");
        for (int i = 0; i < documents.size(); i++) {
            trace.append("\n  [").append(i + 1).append("] ").append(preview(documents.get(i).text()));
        }
        run.text(trace.toString());
        return documents;
    }

    // ---------------------------------------------------------------- chain types

    private String stuff(String question, List<Document> documents, ChainRun run) {
        List<String> texts = new ArrayList<>(documents.size());
        for (Document document : documents) {
            texts.add(formatDocument(document));
        }
        return ask(prompt, Map.of("context", String.join(documentSeparator, texts), "question", question), run,
                "stuffing " + documents.size() + " document(s) into one prompt", true);
    }

    private String mapReduce(String question, List<Document> documents, ChainRun run) {
        List<String> extracts = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            String extract = ask(prompt, Map.of("context", formatDocument(documents.get(i)), "question", question), run,
                    "extracting from document " + (i + 1) + " of " + documents.size()).strip();
            if (isNoRelevantText(extract)) {
                run.text("document " + (i + 1) + ": nothing relevant");
            } else {
                extracts.add(extract);
            }
        }
        String summaries = extracts.isEmpty() ? "(none of the documents held relevant text)"
                : String.join(documentSeparator, extracts);
        return ask(combinePrompt, Map.of("summaries", summaries, "question", question), run,
                "combining " + extracts.size() + " extract(s)", true);
    }

    private String refine(String question, List<Document> documents, ChainRun run) {
        if (documents.isEmpty()) {
            return ask(prompt, Map.of("context", "", "question", question), run, "answering with no documents", true);
        }
        String answer = ask(prompt, Map.of("context", formatDocument(documents.get(0)), "question", question), run,
                "answering from document 1 of " + documents.size(), documents.size() == 1);
        for (int i = 1; i < documents.size(); i++) {
            Map<String, Object> values = new HashMap<>(4);
            values.put("context", formatDocument(documents.get(i)));
            values.put("question", question);
            values.put("existing_answer", answer);
            answer = ask(refinePrompt, values, run, "refining with document " + (i + 1) + " of " + documents.size(),
                    i == documents.size() - 1);
        }
        return answer;
    }

    private String mapRerank(String question, List<Document> documents, ChainRun run) {
        if (documents.isEmpty()) {
            throw new IllegalStateException("RetrievalQA(map_rerank): the retriever found no documents for '" + question
                    + "', so there is no answer to rank");
        }
        ScoredAnswer best = null;
        int bestIndex = -1;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            String reply = ask(prompt, Map.of("context", formatDocument(documents.get(i)), "question", question), run,
                    "answering and scoring document " + (i + 1) + " of " + documents.size());
            try {
                ScoredAnswer scored = ScoredAnswerParser.INSTANCE.parse(reply);
                run.text("document " + (i + 1) + ": score " + scored.score());
                if (best == null || scored.score() > best.score()) { // ties go to the better-retrieved document
                    best = scored;
                    bestIndex = i;
                }
            } catch (OutputParserException e) {
                String problem = "document " + (i + 1) + ": " + firstClause(e.getMessage()) + "; reply: " + preview(reply);
                problems.add(problem);
                run.text("left out " + problem);
                LOG.warn("RetrievalQA(map_rerank) left out {}", problem);
            }
        }
        if (best == null) {
            throw new OutputParserException("RetrievalQA(map_rerank): none of the " + documents.size()
                    + " replies had a readable 'Score: N' line (N from 0 to 100):\n  " + String.join("\n  ", problems),
                    String.join("\n---\n", problems));
        }
        run.text("best answer: document " + (bestIndex + 1) + " with score " + best.score());
        return best.answer();
    }

    // ---------------------------------------------------------------- model calls

    private String ask(BasePromptTemplate template, Map<String, ?> values, ChainRun run, String step) {
        return ask(template, values, run, step, false);
    }

    /** One model call; {@code answers}: this call writes the final answer, so it streams when the run does. */
    private String ask(BasePromptTemplate template, Map<String, ?> values, ChainRun run, String step, boolean answers) {
        List<ChatMessage> messages = template.formatMessages(values);
        checkFits(messages, step);
        ChatResponse response = run.chat(chatModel, ChatRequest.builder().messages(messages).build(),
                answers ? run.tokenSink().orElse(null) : null);
        AiMessage ai = response == null ? null : response.aiMessage();
        if (ai == null || ai.text() == null) {
            throw new IllegalStateException("RetrievalQA '" + name() + "': the model returned no text while " + step);
        }
        return ai.text();
    }

    private void checkFits(List<ChatMessage> messages, String step) {
        if (tokenCountEstimator == null) {
            return;
        }
        int tokens = tokenCountEstimator.estimateTokenCountInMessages(messages);
        if (tokens > contextWindowTokens) {
            String advice = chainType == ChainType.STUFF
                    ? "retrieve fewer documents (a smaller k), split them into smaller segments, or use chain type"
                    + " map_reduce or refine, which send one document per call"
                    : "retrieve fewer documents or split them into smaller segments";
            throw new ContextTooLongException("RetrievalQA(" + chainType.langChainName() + "): the prompt for " + step
                    + " is about " + tokens + " tokens but the context window is " + contextWindowTokens
                    + " tokens; nothing was sent and nothing was cut: " + advice, tokens, contextWindowTokens);
        }
    }

    private String formatDocument(Document document) {
        Map<String, Object> values = new HashMap<>(document.metadata().toMap());
        values.put("page_content", document.text());
        return documentPrompt.format(values);
    }

    private static boolean isNoRelevantText(String extract) {
        String normalized = extract.replaceAll("[.\\s*]+$", "").strip();
        return normalized.isEmpty() || normalized.equalsIgnoreCase(QAPrompts.NO_RELEVANT_TEXT);
    }

    /** The parser's problem without the quoted output it appends (we quote a preview ourselves). */
    private static String firstClause(String message) {
        String first = message.lines().findFirst().orElse("");
        int quoted = first.indexOf("; model output");
        return quoted < 0 ? first : first.substring(0, quoted);
    }

    private static String preview(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
    }

    // ---------------------------------------------------------------- building

    private static BasePromptTemplate defaultPrompt(ChainType type) {
        return switch (type) {
            case STUFF -> QAPrompts.STUFF;
            case MAP_REDUCE -> QAPrompts.MAP_REDUCE_QUESTION;
            case REFINE -> QAPrompts.REFINE_QUESTION;
            case MAP_RERANK -> QAPrompts.MAP_RERANK;
        };
    }

    private BasePromptTemplate checked(BasePromptTemplate template, String what, Set<String> variables) {
        if (!Set.copyOf(template.inputVariables()).equals(variables)) {
            throw new ChainValidationException("RetrievalQA(" + chainType.langChainName() + "): " + what + " '"
                    + template.name() + "' must read exactly the variables " + new java.util.TreeSet<>(variables) + "; it reads "
                    + template.inputVariables());
        }
        return template;
    }

    private BasePromptTemplate unused(BasePromptTemplate template, String what, ChainType owner) {
        if (template != null) {
            throw new ChainValidationException("RetrievalQA: " + what + " only applies to chain type "
                    + owner.langChainName() + ", but the chain type is " + chainType.langChainName());
        }
        return null;
    }

    private static ContentRetriever retrieverFromStore(Builder b) {
        if (b.embeddingStore == null || b.embeddingModel == null) {
            throw new IllegalArgumentException("RetrievalQA needs retriever(ContentRetriever), or embeddingStore(...) together"
                    + " with embeddingModel(...); got " + (b.embeddingStore == null ? "no embedding store" : "no embedding model"));
        }
        return EmbeddingStoreContentRetriever.builder().embeddingStore(b.embeddingStore).embeddingModel(b.embeddingModel)
                .maxResults(b.k).minScore(b.minScore).build();
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("RetrievalQA needs " + what);
        }
        return value;
    }

    private static String requireKey(String key, String what) {
        if (key == null || key.isBlank()) {
            throw new ChainValidationException("RetrievalQA: " + what + " must not be blank");
        }
        return key;
    }

    /** Builds a {@link RetrievalQA}; {@code chatModel} and a retriever are required. */
    public static final class Builder extends BaseChain.Builder<Builder> {
        private ChatModel chatModel;
        private ContentRetriever retriever;
        private EmbeddingStore<TextSegment> embeddingStore;
        private EmbeddingModel embeddingModel;
        private int k = 4;
        private double minScore = 0.0;
        private ChainType chainType = ChainType.STUFF;
        private BasePromptTemplate prompt;
        private BasePromptTemplate combinePrompt;
        private BasePromptTemplate refinePrompt;
        private PromptTemplate documentPrompt = QAPrompts.DOCUMENT;
        private String documentSeparator = DEFAULT_DOCUMENT_SEPARATOR;
        private boolean returnSourceDocuments;
        private String responseIfNoDocsFound;
        private String inputKey = DEFAULT_INPUT_KEY;
        private String outputKey = DEFAULT_OUTPUT_KEY;
        private Integer contextWindowTokens;
        private TokenCountEstimator tokenCountEstimator;

        private Builder() {
        }

        /** The model that answers (LangChain's {@code llm}). */
        public Builder chatModel(ChatModel chatModel) {
            this.chatModel = chatModel;
            return this;
        }

        /** A streaming-only model (e.g. {@code OpenAiStreamingChatModel}); {@code call} waits for its whole answer. */
        public Builder streamingChatModel(StreamingChatModel chatModel) {
            return chatModel(dev.trellis.framework.models.StreamingOnlyChatModel.of(chatModel));
        }

        /** Same as {@link #chatModel(ChatModel)}, LangChain's name. */
        public Builder llm(ChatModel llm) {
            return chatModel(llm);
        }

        /** Where the documents come from: any langchain4j retriever (vector, hybrid, web...). */
        public Builder retriever(ContentRetriever retriever) {
            this.retriever = retriever;
            return this;
        }

        /** Instead of {@link #retriever}: search this store, embedding the question with {@link #embeddingModel}. */
        public Builder embeddingStore(EmbeddingStore<TextSegment> embeddingStore) {
            this.embeddingStore = embeddingStore;
            return this;
        }

        /** The model the store's vectors were made with; used with {@link #embeddingStore}. */
        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Documents retrieved per question when built from an embedding store (default 4, as LangChain's). */
        public Builder k(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("k(" + k + ") must be at least 1");
            }
            this.k = k;
            return this;
        }

        /** Least relevance score (0..1) of a retrieved document when built from an embedding store (default 0). */
        public Builder minScore(double minScore) {
            this.minScore = minScore;
            return this;
        }

        /** How documents are combined (default {@link ChainType#STUFF}). */
        public Builder chainType(ChainType chainType) {
            this.chainType = Objects.requireNonNull(chainType, "chainType");
            return this;
        }

        /**
         * The chain type's main prompt: for stuff, map-rerank and refine's first step it reads {@code {context}}
         * and {@code {question}}; for map-reduce it is the per-document extraction prompt. Defaults: {@link QAPrompts}.
         */
        public Builder prompt(BasePromptTemplate prompt) {
            this.prompt = prompt;
            return this;
        }

        /** Map-reduce only: the prompt answering from the extracts, reading {@code {summaries}} and {@code {question}}. */
        public Builder combinePrompt(BasePromptTemplate combinePrompt) {
            this.combinePrompt = combinePrompt;
            return this;
        }

        /** Refine only: the improving prompt, reading {@code {question}}, {@code {existing_answer}} and {@code {context}}. */
        public Builder refinePrompt(BasePromptTemplate refinePrompt) {
            this.refinePrompt = refinePrompt;
            return this;
        }

        /**
         * How one document is written into a prompt: {@code {page_content}} and any of its metadata keys, e.g.
         * {@code "{page_content}\n(source: {source}, row {row})"}. Default: the text alone.
         */
        public Builder documentPrompt(PromptTemplate documentPrompt) {
            this.documentPrompt = Objects.requireNonNull(documentPrompt, "documentPrompt");
            return this;
        }

        /** What goes between documents in a stuffed prompt (and between map-reduce extracts); default a blank line. */
        public Builder documentSeparator(String documentSeparator) {
            this.documentSeparator = documentSeparator;
            return this;
        }

        /** Also return the retrieved documents under {@code source_documents}. */
        public Builder returnSourceDocuments(boolean returnSourceDocuments) {
            this.returnSourceDocuments = returnSourceDocuments;
            return this;
        }

        /**
         * LangChain's {@code response_if_no_docs_found}: when the retriever returns nothing, answer this without
         * calling the model (default: the model is asked with an empty context). Pairs with a retriever that
         * drops what does not match, such as {@code WordOverlapReranker.requireNamedWords}.
         */
        public Builder responseIfNoDocsFound(String response) {
            if (response != null && response.isBlank()) {
                throw new IllegalArgumentException("responseIfNoDocsFound is blank; give the answer to return, or null "
                        + "to ask the model with an empty context");
            }
            this.responseIfNoDocsFound = response;
            return this;
        }

        /** The question's key (default {@code query}). */
        public Builder inputKey(String inputKey) {
            this.inputKey = inputKey;
            return this;
        }

        /** The answer's key (default {@code result}). */
        public Builder outputKey(String outputKey) {
            this.outputKey = outputKey;
            return this;
        }

        /**
         * The model's context window: any prompt estimated above {@code maxTokens} fails with a
         * {@link ContextTooLongException} before it is sent, instead of being cut or sent to fail remotely.
         */
        public Builder contextWindow(int maxTokens, TokenCountEstimator estimator) {
            this.contextWindowTokens = maxTokens;
            this.tokenCountEstimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        public RetrievalQA build() {
            return new RetrievalQA(this);
        }

        private String chainName() {
            return name != null ? name : "RetrievalQA(" + chainType.langChainName() + ")";
        }

        private boolean isVerbose() {
            return verbose;
        }

        private List<dev.trellis.framework.tracing.ChainListener> listenerList() {
            return listeners;
        }
    }
}
