package dev.trellis.finetune.data;

import dev.trellis.framework.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Question/answer (or instruction/response) examples read from JSONL, a JSON array or CSV.
 *
 * <pre>{@code
 * InstructionDataset data = InstructionDataset.load(Path.of("docs_qa.jsonl"));     // detects the fields
 * InstructionDataset alpaca = InstructionDataset.loader()
 *         .fields(FieldMapping.of("instruction", "output").withInputKey("input"))
 *         .onBadRecord(BadRecordPolicy.SKIP)
 *         .load(Path.of("alpaca.json"));
 * DatasetSplit split = data.trainTestSplit(0.1, 123);
 * List<PromptCompletion> hydrated = split.train().hydrate(InstructionTemplate.QUESTION_ANSWER);
 * }</pre>
 *
 * <p>Field values are text. A JSON number or boolean in a prompt, input or answer field is taken as
 * its JSON text ({@code "answer": 4} trains on {@code 4}, {@code true} on {@code true}); an object or
 * array there is a bad record ({@link BadRecord.Reason#WRONG_TYPE}), never flattened into the text.
 * An empty file, a binary file and a file that is not UTF-8 are refused with a message saying so.
 *
 * <p>Bad records (invalid JSON, a missing field, an empty answer) carry their line numbers: under
 * {@link BadRecordPolicy#FAIL} loading throws {@link BadRecordsException}; under SKIP they are left
 * out and listed by {@link #badRecords()}. Instances are immutable.
 */
public final class InstructionDataset {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final FieldMapping fields;
    private final List<InstructionExample> examples;
    private final List<BadRecord> badRecords;

    private InstructionDataset(String source, FieldMapping fields, List<InstructionExample> examples, List<BadRecord> bad) {
        this.source = source;
        this.fields = fields;
        this.examples = List.copyOf(examples);
        this.badRecords = List.copyOf(bad);
    }

    /** Loads {@code file}, detecting the fields and failing on any bad record. */
    public static InstructionDataset load(Path file) {
        return loader().load(file);
    }

    public static Loader loader() {
        return new Loader();
    }

    /** A dataset from examples built in code. */
    public static InstructionDataset of(String source, FieldMapping fields, List<InstructionExample> examples) {
        return new InstructionDataset(source, fields, examples, List.of());
    }

    public int size() {
        return examples.size();
    }

    public InstructionExample get(int i) {
        return examples.get(i);
    }

    public List<InstructionExample> examples() {
        return examples;
    }

    /** Records left out while loading (empty under FAIL, which throws instead). */
    public List<BadRecord> badRecords() {
        return badRecords;
    }

    /** The fields the examples were read from. */
    public FieldMapping fields() {
        return fields;
    }

    /** Where the examples came from (a path, or a name for data built in code). */
    public String source() {
        return source;
    }

    /** The examples matching {@code keep}. */
    public InstructionDataset filter(Predicate<InstructionExample> keep) {
        return new InstructionDataset(source, fields, examples.stream().filter(keep).toList(), badRecords);
    }

    /** Applies {@code template} to every example: prompt text plus the answer to train on. */
    public List<PromptCompletion> hydrate(InstructionTemplate template) {
        List<PromptCompletion> out = new ArrayList<>(examples.size());
        for (InstructionExample e : examples) {
            // A plain-text record has no prompt: the whole text is the completion.
            String prompt = fields.isTextOnly() ? "" : template.format(e);
            out.add(new PromptCompletion(e.line(), prompt, e.response()));
        }
        return out;
    }

    /**
     * Shuffles with {@code seed} and puts {@code ceil(testSize * n)} examples in the test split, like
     * Hugging Face's {@code train_test_split}. The same seed always gives the same split.
     */
    public DatasetSplit trainTestSplit(double testSize, long seed) {
        checkTestSize(testSize);
        if (examples.size() < 2) {
            throw new DatasetFormatException(source + " holds " + examples.size() + " usable example"
                    + (examples.size() == 1 ? "" : "s") + "; a train/test split needs at least 2 (one to train on,"
                    + " one to test with). Add examples");
        }
        List<InstructionExample> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new Random(seed));
        int nTest = (int) Math.ceil(testSize * examples.size());
        if (examples.size() > 1) {
            nTest = Math.max(1, Math.min(examples.size() - 1, nTest));
        }
        return new DatasetSplit(
                new InstructionDataset(source + "[train]", fields, shuffled.subList(nTest, shuffled.size()), badRecords),
                new InstructionDataset(source + "[test]", fields, shuffled.subList(0, nTest), List.of()));
    }

    /**
     * Splits by whole groups so that no value of {@code groupField} (a product id, say) occurs in
     * both splits: the test split then measures answers about things never seen in training.
     * Groups are shuffled with {@code seed} and moved to test until it holds at least
     * {@code testSize} of the examples. Examples without the field are groups of their own.
     */
    public DatasetSplit trainTestSplitByGroup(String groupField, double testSize, long seed) {
        checkTestSize(testSize);
        Map<String, List<InstructionExample>> groups = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            InstructionExample e = examples.get(i);
            String g = e.field(groupField);
            groups.computeIfAbsent(g == null || g.isEmpty() ? "\u0000row" + i : "g" + g, k -> new ArrayList<>()).add(e);
        }
        List<List<InstructionExample>> order = new ArrayList<>(groups.values());
        Collections.shuffle(order, new Random(seed));
        double want = testSize * examples.size();
        List<InstructionExample> test = new ArrayList<>();
        List<InstructionExample> train = new ArrayList<>();
        for (List<InstructionExample> g : order) {
            (test.size() < want ? test : train).addAll(g);
        }
        return new DatasetSplit(new InstructionDataset(source + "[train]", fields, train, badRecords),
                new InstructionDataset(source + "[test]", fields, test, List.of()));
    }

    /** Splits by a column that already says {@code train} or {@code test} (as docs_qa.jsonl's {@code split}). */
    public DatasetSplit splitByField(String field) {
        List<InstructionExample> train = new ArrayList<>();
        List<InstructionExample> test = new ArrayList<>();
        for (InstructionExample e : examples) {
            String v = e.field(field);
            if ("train".equals(v)) {
                train.add(e);
            } else if ("test".equals(v)) {
                test.add(e);
            } else {
                throw new DatasetFormatException(source + ":" + e.line() + ": field '" + field
                        + "' must be 'train' or 'test', found " + (v == null ? "nothing" : "'" + v + "'"));
            }
        }
        return new DatasetSplit(new InstructionDataset(source + "[train]", fields, train, badRecords),
                new InstructionDataset(source + "[test]", fields, test, List.of()));
    }

    private static void checkTestSize(double testSize) {
        if (!(testSize > 0 && testSize < 1)) {
            throw new IllegalArgumentException("testSize must be a fraction strictly between 0 and 1, got " + testSize);
        }
    }

    /** Writes the examples back as JSONL with all their fields (atomically). */
    public void writeJsonl(Path file) {
        List<Map<String, ?>> rows = new ArrayList<>();
        examples.forEach(e -> rows.add(e.fields()));
        writeRows(file, rows);
    }

    /**
     * Writes the templated examples as JSONL, in one of the course's two processed forms:
     * {@code {"text": prompt+answer}} when {@code textOnly}, else {@code {"question": prompt, "answer": answer}}.
     */
    public void writeHydratedJsonl(Path file, InstructionTemplate template, boolean textOnly) {
        List<Map<String, ?>> rows = new ArrayList<>();
        for (PromptCompletion pc : hydrate(template)) {
            Map<String, String> row = new LinkedHashMap<>();
            if (textOnly) {
                row.put("text", pc.text());
            } else {
                row.put("question", pc.prompt());
                row.put("answer", pc.completion());
            }
            rows.add(row);
        }
        writeRows(file, rows);
    }

    /** Writes rows as JSONL, one object per line, keys in their insertion order, atomically. */
    static void writeRows(Path file, List<? extends Map<String, ?>> rows) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Map<String, ?> row : rows) {
                out.write(JSON.writeValueAsBytes(row));
                out.write('\n');
            }
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            AtomicFiles.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public String toString() {
        return "InstructionDataset[" + source + ", " + examples.size() + " examples, fields " + fields
                + (badRecords.isEmpty() ? "" : ", " + badRecords.size() + " bad records skipped") + "]";
    }

    /** Options for loading a dataset file. */
    public static final class Loader {
        private FieldMapping fields;
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** The fields to read; detected from the file when not given. */
        public Loader fields(FieldMapping fields) {
            this.fields = Objects.requireNonNull(fields, "fields");
            return this;
        }

        /** FAIL (default) throws on the first load that finds bad records; SKIP leaves them out. */
        public Loader onBadRecord(BadRecordPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public InstructionDataset load(Path file) {
            RecordReader.Result read = RecordReader.read(file);
            String source = file.toString();
            if (read.records().isEmpty() && read.bad().isEmpty()) {
                throw new DatasetFormatException(source + " is empty: it holds no records"
                        + (read.keys().isEmpty() ? "" : ", only the header " + read.keys())
                        + ". Add question/answer examples to it");
            }
            FieldMapping mapping = fields != null ? fields : FieldMapping.detect(read.keys(), source);
            List<BadRecord> bad = new ArrayList<>(read.bad());
            List<InstructionExample> examples = new ArrayList<>();
            for (RecordReader.RawRecord r : read.records()) {
                List<String> missing = mapping.requiredKeys().stream().filter(k -> !r.fields().containsKey(k)).toList();
                if (!missing.isEmpty()) {
                    bad.add(new BadRecord(source, r.line(), BadRecord.Reason.MISSING_FIELD,
                            "no " + missing + "; record has " + r.fields().keySet()));
                    continue;
                }
                List<String> structured = java.util.stream.Stream.of(mapping.promptKey(), mapping.inputKey(), mapping.responseKey())
                        .filter(k -> k != null && r.structured().contains(k)).toList();
                if (!structured.isEmpty()) {
                    bad.add(new BadRecord(source, r.line(), BadRecord.Reason.WRONG_TYPE, "field" + (structured.size() == 1
                            ? " '" + structured.get(0) + "' holds" : "s " + structured + " hold") + " a JSON object or array;"
                            + " prompts and answers must be text (numbers and booleans are taken as their text)"));
                    continue;
                }
                String response = r.fields().get(mapping.responseKey());
                if (response.isBlank()) {
                    bad.add(new BadRecord(source, r.line(), BadRecord.Reason.EMPTY_ANSWER,
                            "field '" + mapping.responseKey() + "' is empty"));
                    continue;
                }
                String prompt = mapping.promptKey() == null ? "" : r.fields().get(mapping.promptKey());
                String input = mapping.inputKey() == null ? "" : r.fields().getOrDefault(mapping.inputKey(), "");
                examples.add(new InstructionExample(r.line(), prompt, input, response, r.fields()));
            }
            bad.sort(java.util.Comparator.comparingInt(BadRecord::line));
            if (!bad.isEmpty() && policy == BadRecordPolicy.FAIL) {
                throw new BadRecordsException(source, bad);
            }
            if (examples.isEmpty()) {
                throw new DatasetFormatException(source + " holds no usable records" + (bad.isEmpty() ? "" : " (" + bad.size() + " bad)"));
            }
            return new InstructionDataset(source, mapping, examples, bad);
        }
    }
}
