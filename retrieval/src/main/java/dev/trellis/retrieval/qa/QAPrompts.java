package dev.trellis.retrieval.qa;

import dev.trellis.framework.prompts.PromptTemplate;

/**
 * The default prompts of {@link RetrievalQA}, one set per {@link ChainType}. Each reads the
 * question as {@code {question}} and document text as {@code {context}} (or, for the combine step
 * of map-reduce, the extracts as {@code {summaries}}).
 */
public final class QAPrompts {

    private QAPrompts() {
    }

    /** {@link ChainType#STUFF}: every retrieved document in {@code {context}}. */
    public static final PromptTemplate STUFF = PromptTemplate.fromTemplate("qa_stuff", """
            Answer the question using only the context below. If the context does not hold the answer, \
            say that you don't know rather than making one up.

            Context:
            {context}

            Question: {question}
            Helpful answer:""");

    /** Map step of {@link ChainType#MAP_REDUCE}: one document in {@code {context}}. */
    public static final PromptTemplate MAP_REDUCE_QUESTION = PromptTemplate.fromTemplate("qa_map", """
            Below is one document and a question. Copy out, word for word, any part of the document that \
            helps answer the question. If nothing in it is relevant, reply with exactly: NO RELEVANT TEXT

            Document:
            {context}

            Question: {question}
            Relevant text:""");

    /** What the map step answers when a document holds nothing relevant; such extracts are left out. */
    public static final String NO_RELEVANT_TEXT = "NO RELEVANT TEXT";

    /** Combine step of {@link ChainType#MAP_REDUCE}: the extracts in {@code {summaries}}. */
    public static final PromptTemplate MAP_REDUCE_COMBINE = PromptTemplate.fromTemplate("qa_combine", """
            Here are extracts taken from several documents, and a question. Write the final answer to the \
            question using only these extracts. If they do not hold the answer, say that you don't know.

            Extracts:
            {summaries}

            Question: {question}
            Final answer:""");

    /** First step of {@link ChainType#REFINE}: the first document in {@code {context}}. */
    public static final PromptTemplate REFINE_QUESTION = PromptTemplate.fromTemplate("qa_refine_first", """
            Context:
            {context}

            Using only the context above, answer this question: {question}
            Answer:""");

    /** Later steps of {@link ChainType#REFINE}: the answer so far in {@code {existing_answer}}, the next document in {@code {context}}. */
    public static final PromptTemplate REFINE = PromptTemplate.fromTemplate("qa_refine", """
            Question: {question}
            The answer so far: {existing_answer}

            Here is more context that may help improve it:
            ------------
            {context}
            ------------
            Improve the answer so far with this context where it helps. If the context adds nothing useful, \
            repeat the answer so far unchanged.
            Improved answer:""");

    /** {@link ChainType#MAP_RERANK}: one document in {@code {context}}; the reply ends with a score line. */
    public static final PromptTemplate MAP_RERANK = PromptTemplate.fromTemplate("qa_map_rerank", """
            Use the context below to answer the question, then rate how well the context answers it.

            Reply in exactly this format:
            Answer: <your answer>
            Score: <a whole number from 0 to 100; 100 means the context answers the question completely, \
            0 means it does not answer it at all>

            If the context does not hold the answer, say that you don't know and give a score of 0.

            Context:
            {context}

            Question: {question}""");

    /** How each document is written into {@code {context}}: its text. Other prompts may use metadata keys too. */
    public static final PromptTemplate DOCUMENT = PromptTemplate.fromTemplate("qa_document", "{page_content}");
}
