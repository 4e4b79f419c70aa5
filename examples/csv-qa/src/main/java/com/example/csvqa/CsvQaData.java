package com.example.csvqa;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.qa.QAPrompts;
import dev.trellis.retrieval.qa.RetrievalQA;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finetuning data for the local fallback model, made from the CSV itself: for every row and column
 * a look-up question ("What is the price of the Ridge Sun Shirt?", the row named by its first
 * column) answered with the cell, asked in the very prompt {@link RetrievalQA} will send: its
 * default prompt over the rows the retriever returns for that question. The last row's questions
 * are held out.
 */
final class CsvQaData {

    private CsvQaData() {
    }

    static InstructionDataset of(Path csv, ContentRetriever retriever) {
        List<Document> rows = CsvLoader.from(csv).load();
        List<InstructionExample> examples = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] lines = rows.get(i).text().split("\n");
            String subject = value(lines[0]);
            Map<String, String> split = Map.of("split", i == rows.size() - 1 ? "test" : "train");
            for (int c = 1; c < lines.length; c++) {
                String column = lines[c].substring(0, lines[c].indexOf(": "));
                String question = "What is the " + column + " of the " + subject + "?";
                String context = retriever.retrieve(Query.from(question)).stream()
                        .map(Content::textSegment).map(s -> s.text())
                        .collect(Collectors.joining(RetrievalQA.DEFAULT_DOCUMENT_SEPARATOR));
                String prompt = QAPrompts.STUFF.format(Map.of("context", context, "question", question));
                examples.add(new InstructionExample(examples.size(), prompt, "", value(lines[c]), split));
            }
        }
        return InstructionDataset.of("look-up questions over " + csv, FieldMapping.QUESTION_ANSWER, examples);
    }

    private static String value(String line) {
        return line.substring(line.indexOf(": ") + 2);
    }
}
