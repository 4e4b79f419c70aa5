package dev.trellis.samples.data;

import dev.trellis.finetune.pretrain.ReadingCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Writes the sample finetuning set {@code docs_qa.jsonl} from {@code catalog.csv} and from facts about
 * Trellis itself, seeded, so that regeneration reproduces the file byte for byte.
 *
 * <p>Each line is {@code {"question", "answer", "kind", "product", "split"}}. Kinds:
 * <ul>
 *   <li>{@code catalog_context}: a context block of catalogue rows as retrieval would stuff them into a
 *       prompt ({@code column: value} lines, one blank line between rows; the long description column is
 *       left out to keep sequences short), then the question. The answer is read off the context; when
 *       the product asked about is not in the context the answer is {@link #NOT_IN_CONTEXT}.</li>
 *   <li>{@code catalog}: the same facts asked without context (training products only).</li>
 *   <li>{@code docs}: questions about Trellis' API and commands, answered in our own words.</li>
 *   <li>{@code off_topic}: questions outside Trellis and the catalogue, answered with {@link #REFUSAL}
 *       (the course's moderation lesson: a finetuned model keeps the discussion on topic).</li>
 * </ul>
 * Answers are short and exact (a name, a price, a UPF rating) so that exact match is a fair metric.
 * A tenth of the products are test products: every question about them is in the test split, and
 * neither their names nor their rows appear in any training example. Docs and off-topic questions
 * are split at random, one in ten to test.
 *
 * <p>Training products also get {@link #EXTRA_CONTEXT_ROUNDS} extra context questions each, so a small
 * model sees enough varied copy-from-context examples to learn the skill rather than the products.
 *
 * <p>Run {@code main [catalog.csv] [docs_qa.jsonl]} to regenerate the shipped file.
 */
public final class DocsQaGenerator {

    /** The seed the shipped file was generated with. */
    public static final long DEFAULT_SEED = 20240602L;
    /** Columns the generator reads from catalog.csv. */
    public static final List<String> REQUIRED_COLUMNS =
            List.of("id", "name", "category", "collection", "fabric", "color", "upf", "pockets", "price");
    /** Columns shown in a context block, in this order. */
    public static final List<String> CONTEXT_COLUMNS = REQUIRED_COLUMNS;
    /** The answer to anything outside Trellis and the catalogue. */
    public static final String REFUSAL = "Let's keep the discussion relevant to Trellis and our outdoor clothing catalogue.";
    /** The answer when the context does not hold the product asked about. */
    public static final String NOT_IN_CONTEXT = "I don't know; that product is not in the given context.";
    /** The answer to a UPF question about a product with none. */
    public static final String NO_UPF = "No UPF rating";
    /** What a price answer puts before the catalogue's number. */
    public static final String PRICE_PREFIX = "$";
    /** What a UPF answer puts before the catalogue's rating. */
    public static final String UPF_PREFIX = "UPF ";
    /** The answers grounded decoding allows besides spans of the context, and the prefixes a span may follow. */
    public static final List<String> GROUNDED_FIXED_ANSWERS = List.of(NOT_IN_CONTEXT, NO_UPF);
    public static final List<String> GROUNDED_SPAN_PREFIXES = List.of(PRICE_PREFIX, UPF_PREFIX);

    static final Path DEFAULT_CATALOG = Path.of("samples/src/main/resources/data/catalog.csv");
    static final Path DEFAULT_OUTPUT = Path.of("samples/src/main/resources/data/docs_qa.jsonl");

    private static final double TEST_FRACTION = 0.1;
    /** Extra context questions per training product, beyond the one or two every product gets. */
    static final int EXTRA_CONTEXT_ROUNDS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DocsQaGenerator() {
    }

    /** One line of the file. */
    public record QaPair(String question, String answer, String kind, String product, String split) {
    }

    public static void main(String[] args) {
        Path catalog = args.length > 0 ? Path.of(args[0]) : DEFAULT_CATALOG;
        Path out = args.length > 1 ? Path.of(args[1]) : DEFAULT_OUTPUT;
        List<QaPair> pairs = generate(readCatalog(catalog), DEFAULT_SEED);
        write(pairs, out);
        System.out.println("Wrote " + pairs.size() + " question/answer pairs to " + out);
    }

    /** Reads catalog.csv as rows of column -> value, checking that the needed columns are there. */
    public static List<Map<String, String>> readCatalog(Path csv) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8); CSVParser p = CSVParser.parse(r, format)) {
            List<String> missing = REQUIRED_COLUMNS.stream().filter(c -> !p.getHeaderNames().contains(c)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(csv + " lacks columns " + missing + "; it has " + p.getHeaderNames()
                        + ". Regenerate it with CatalogGenerator.");
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (CSVRecord rec : p) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String c : REQUIRED_COLUMNS) {
                    row.put(c, rec.get(c));
                }
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(csv + " has a header but no products");
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read catalogue " + csv, e);
        }
    }

    /** All pairs for {@code catalog}, in a seeded order. */
    public static List<QaPair> generate(List<Map<String, String>> catalog, long seed) {
        Random rnd = new Random(seed);
        List<Map<String, String>> shuffled = new ArrayList<>(catalog);
        Collections.shuffle(shuffled, rnd);
        int nTest = Math.max(1, (int) Math.round(catalog.size() * TEST_FRACTION));
        Set<String> testIds = new HashSet<>();
        shuffled.subList(0, nTest).forEach(r -> testIds.add(r.get("id")));
        List<Map<String, String>> trainRows = catalog.stream().filter(r -> !testIds.contains(r.get("id"))).toList();
        List<Map<String, String>> testRows = catalog.stream().filter(r -> testIds.contains(r.get("id"))).toList();

        List<QaPair> out = new ArrayList<>();
        for (Map<String, String> row : catalog) {
            boolean test = testIds.contains(row.get("id"));
            List<Map<String, String>> pool = test ? testRows : trainRows;
            String split = test ? "test" : "train";
            out.add(contextQuestion(row, pool, rnd, split));
            if (rnd.nextInt(4) == 0) {
                out.add(contextQuestion(row, pool, rnd, split)); // a second fact about some products
            }
            if (!test && rnd.nextInt(5) == 0) {
                Fact f = fact(row, rnd);
                out.add(new QaPair(f.question, f.answer, "catalog", row.get("id"), "train"));
            }
            if (rnd.nextInt(20) == 0 && pool.size() > 4) {
                out.add(notInContext(row, pool, rnd, split));
            }
        }
        // More retrieved-context practice on training products only: answering from context is a copy
        // task, and a small model learns to copy from many varied examples. A separate generator keeps
        // the test pairs above exactly what they were.
        Random extra = new Random(seed ^ 0x5DEECE66DL);
        for (int round = 0; round < EXTRA_CONTEXT_ROUNDS; round++) {
            for (Map<String, String> row : trainRows) {
                out.add(extra.nextInt(20) == 0 ? notInContext(row, trainRows, extra, "train")
                        : contextQuestion(row, trainRows, extra, "train"));
            }
        }
        for (String[] doc : DOCS) {
            String answer = doc[doc.length - 1];
            for (int i = 0; i < doc.length - 1; i++) {
                out.add(new QaPair(doc[i], answer, "docs", "", rnd.nextDouble() < TEST_FRACTION ? "test" : "train"));
            }
        }
        for (String topic : OFF_TOPICS) {
            String q = OFF_TOPIC_FORMS[rnd.nextInt(OFF_TOPIC_FORMS.length)].replace("{t}", topic);
            out.add(new QaPair(q, REFUSAL, "off_topic", "", rnd.nextDouble() < TEST_FRACTION ? "test" : "train"));
        }
        Collections.shuffle(out, rnd);
        // Appended, from generators of their own, so every line above stays as it was: yes/no questions over
        // a context, and grading exercises in the QA evaluator's prompt (the local model grades answers too).
        Random more = new Random(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = 0; i < YES_NO_QUESTIONS; i++) {
            out.add(yesNoQuestion(trainRows.get(more.nextInt(trainRows.size())), trainRows, more));
        }
        for (int i = 0; i < GRADING_EXERCISES; i++) {
            out.add(gradingExercise(trainRows.get(more.nextInt(trainRows.size())), trainRows, more));
        }
        return out;
    }

    /** Yes/no questions about a price over a context, appended to the training split. */
    static final int YES_NO_QUESTIONS = 400;
    /** Grading exercises appended to the training split. */
    static final int GRADING_EXERCISES = 400;

    private static QaPair yesNoQuestion(Map<String, String> row, List<Map<String, String>> pool, Random rnd) {
        double price = Double.parseDouble(row.get("price"));
        double threshold = Math.max(10, Math.round(price * (0.6 + 0.8 * rnd.nextDouble()) / 10) * 10.0);
        if (threshold == price) {
            threshold += 10;
        }
        String q = String.format(java.util.Locale.ROOT, "Is the price of the %s more than $%.2f?", row.get("name"), threshold);
        List<Map<String, String>> rows = new ArrayList<>(List.of(row));
        while (rows.size() < 1 + rnd.nextInt(3)) {
            Map<String, String> other = pool.get(rnd.nextInt(pool.size()));
            if (!rows.contains(other)) {
                rows.add(other);
            }
        }
        Collections.shuffle(rows, rnd);
        return new QaPair(withContext(rows, q), price > threshold ? "Yes" : "No", "catalog_yes_no", row.get("id"), "train");
    }

    /**
     * The QA evaluator's grading prompt ({@code QAEvalChain.TEMPLATE}) over a catalogue question, its true
     * answer and a student's answer: right (as given, or in other words) or wrong (another product's value).
     */
    private static QaPair gradingExercise(Map<String, String> row, List<Map<String, String>> pool, Random rnd) {
        long form = rnd.nextLong(); // the same seed asks the same kind of question of another product
        Fact f = fact(row, new Random(form));
        boolean correct = rnd.nextBoolean();
        String said = f.answer;
        if (!correct) {
            for (int i = 0; i < 20 && said.equalsIgnoreCase(f.answer); i++) {
                said = fact(pool.get(rnd.nextInt(pool.size())), new Random(form)).answer;
            }
            said = said.equalsIgnoreCase(f.answer) ? NOT_IN_CONTEXT : said;
        }
        // Right and wrong answers take the same wordings, so only what they say tells them apart. (When only
        // right answers ended in a full stop or came as a sentence, the finetuned model graded by that: it
        // called every bare answer INCORRECT, right or wrong.)
        String student = ReadingCorpus.worded(said, rnd.nextInt(4)); // the first four of the corpus's forms
        String prompt = dev.trellis.framework.eval.QAEvalChain.TEMPLATE.replace("{query}", f.question)
                .replace("{answer}", f.answer).replace("{result}", student);
        return new QaPair(prompt, correct ? "CORRECT" : "INCORRECT", "grading", row.get("id"), "train");
    }

    private record Fact(String question, String answer) {
    }

    /** A question about one column of {@code row}, with its exact answer. */
    private static Fact fact(Map<String, String> row, Random rnd) {
        String name = row.get("name");
        switch (rnd.nextInt(7)) {
            case 0:
                return new Fact(pick(rnd, "How much does the %s cost?", "What is the price of the %s?",
                        "What does the %s sell for?").formatted(name), PRICE_PREFIX + row.get("price"));
            case 1: {
                String upf = row.get("upf");
                return new Fact(pick(rnd, "What UPF rating does the %s have?", "How much sun protection does the %s give?")
                        .formatted(name), "none".equalsIgnoreCase(upf) ? NO_UPF : UPF_PREFIX + upf);
            }
            case 2:
                return new Fact(pick(rnd, "What is the %s made of?", "Which fabric is the %s made from?").formatted(name),
                        row.get("fabric"));
            case 3:
                return new Fact(pick(rnd, "How many pockets does the %s have?", "How many pockets are on the %s?")
                        .formatted(name), row.get("pockets"));
            case 4:
                return new Fact(pick(rnd, "Which collection is the %s part of?", "What collection does the %s belong to?")
                        .formatted(name), row.get("collection"));
            case 5:
                return new Fact(pick(rnd, "What is the product id of the %s?", "Which id does the %s have?").formatted(name),
                        row.get("id"));
            default:
                return new Fact(pick(rnd, "Which %s from the %s collection comes in %s?",
                        "I want the %s of the %s collection in %s. What is it called?")
                        .formatted(row.get("category").toLowerCase(java.util.Locale.ROOT), row.get("collection"), row.get("color")),
                        name);
        }
    }

    private static QaPair contextQuestion(Map<String, String> row, List<Map<String, String>> pool, Random rnd, String split) {
        Fact f = fact(row, rnd);
        List<Map<String, String>> rows = new ArrayList<>();
        rows.add(row);
        int distractors = rnd.nextInt(3); // 1 to 3 rows in all, as a small top-k would retrieve
        while (rows.size() < 1 + distractors) {
            Map<String, String> other = pool.get(rnd.nextInt(pool.size()));
            if (!rows.contains(other)) {
                rows.add(other);
            }
        }
        Collections.shuffle(rows, rnd);
        return new QaPair(withContext(rows, f.question), f.answer, "catalog_context", row.get("id"), split);
    }

    /** The context holds other products only: the right answer is to say so. */
    private static QaPair notInContext(Map<String, String> row, List<Map<String, String>> pool, Random rnd, String split) {
        Fact f = fact(row, rnd);
        List<Map<String, String>> rows = new ArrayList<>();
        while (rows.size() < 2) {
            Map<String, String> other = pool.get(rnd.nextInt(pool.size()));
            if (other != row && !rows.contains(other) && !f.question.contains(other.get("name"))
                    && !(other.get("category").equals(row.get("category")) && other.get("collection").equals(row.get("collection"))
                    && other.get("color").equals(row.get("color")))) {
                rows.add(other);
            }
        }
        return new QaPair(withContext(rows, f.question), NOT_IN_CONTEXT, "catalog_context", row.get("id"), split);
    }

    /** Context rows the way a "stuff" retrieval prompt shows them, then the question. */
    public static String withContext(List<Map<String, String>> rows, String question) {
        StringBuilder sb = new StringBuilder("Context:\n");
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            for (String c : CONTEXT_COLUMNS) {
                sb.append(c).append(": ").append(rows.get(i).get(c)).append('\n');
            }
        }
        return sb.append("\nQuestion: ").append(question).toString();
    }

    private static String pick(Random rnd, String... options) {
        return options[rnd.nextInt(options.length)];
    }

    /** Writes one JSON object per line ({@code \n} endings), atomically. */
    public static void write(List<QaPair> pairs, Path out) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            for (QaPair p : pairs) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("question", p.question());
                row.put("answer", p.answer());
                row.put("kind", p.kind());
                row.put("product", p.product());
                row.put("split", p.split());
                buf.write(JSON.writeValueAsBytes(row));
                buf.write('\n');
            }
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".docs_qa", ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(buf.toByteArray()));
                    ch.force(true);
                }
                try {
                    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    /** Distinct answers, for checks. */
    static Set<String> answers(List<QaPair> pairs) {
        Set<String> s = new TreeSet<>();
        pairs.forEach(p -> s.add(p.answer()));
        return s;
    }

    private static final String[] OFF_TOPIC_FORMS = {
        "What do you think of {t}?", "Can you tell me about {t}?", "I'd like your opinion on {t}.",
        "Let's talk about {t} instead.", "Quick question, unrelated: what about {t}?"};

    private static final String[] OFF_TOPICS = {
        "Mars", "the weather tomorrow", "the stock market", "your favourite film", "a chocolate cake recipe",
        "last night's football match", "quantum entanglement", "the next election", "a poem about cats",
        "Python decorators", "learning to play the guitar", "the meaning of life", "bitcoin prices", "black holes",
        "the best pizza topping", "dinosaurs", "medieval castles", "how to fix a leaking tap", "celebrity gossip",
        "the capital of Australia", "a good name for my dog", "tax returns", "the plot of Hamlet", "jazz music",
        "knitting a scarf", "the history of Rome", "solving a Rubik's cube", "my horoscope", "video game tips",
        "the tallest building in the world", "how volcanoes form", "a diet plan", "used car prices",
        "the rules of chess", "writing a cover letter", "Shakespeare's sonnets", "the speed of light",
        "planting tomatoes", "the best programming language", "a joke about penguins", "the moon landing",
        "how to bake bread", "stock tips for next week", "the French Revolution", "making sushi at home",
        "renewable energy policy", "my relationship problems", "the offside rule", "learning Japanese",
        "the price of gold", "the Olympics", "how airplanes fly", "a birthday speech", "car insurance",
        "ancient Egypt", "a workout routine", "the latest smartphone", "cryptography homework", "ocean tides",
        "the lottery numbers", "painting with watercolours", "a wedding toast", "the Roman emperors",
        "climate models", "how to train a parrot", "the best coffee beans", "ghost stories", "chess openings",
        "the Great Wall of China", "a limerick", "electric cars", "how to meditate", "photosynthesis",
        "space tourism", "mortgage rates", "the Beatles", "origami", "the human genome", "poker strategy",
        "volcano eruptions in Iceland", "your political views", "a lullaby", "house plants", "the Titanic",
        "translating a legal contract", "a chemistry experiment", "fantasy football", "Renaissance art",
        "a recipe for lasagne", "the history of jazz", "sleeping better", "building a treehouse"};

    /** Facts about Trellis: question phrasings, then the answer (in our words). */
    private static final String[][] DOCS = {
        {"Which command runs the main Trellis job?", "How do I start the Trellis quickstart?",
            "What is the one command that indexes the catalogue and answers questions?", "trellis quickstart"},
        {"Which command serves a model over an OpenAI-compatible API?", "How do I expose my finetuned model as an API?",
            "trellis serve"},
        {"How do I run a Trellis benchmark?", "Which command measures performance against a baseline?", "trellis bench NAME"},
        {"Which class answers questions over documents?", "What does Trellis call LangChain's question answering over a retriever?",
            "RetrievalQA"},
        {"Which chain type puts every retrieved document into one prompt?", "What is the simplest RetrievalQA chain type?", "stuff"},
        {"Which memory keeps only the last k exchanges?", "How do I remember just the most recent turns of a chat?",
            "ConversationBufferWindowMemory"},
        {"Which memory limits the history by token count?", "How do I cap conversation memory at a number of tokens?",
            "ConversationTokenBufferMemory"},
        {"Which memory summarizes older turns?", "How can a long conversation be kept short by summarizing it?",
            "ConversationSummaryBufferMemory"},
        {"Which chain runs steps one after another, passing outputs on?", "How do I feed one chain's output into the next?",
            "SequentialChain"},
        {"Which chain grades answers against the expected ones?", "What evaluates a QA application with a model as the grader?",
            "QAEvalChain"},
        {"Which class loads a CSV file as documents?", "How do I turn catalogue rows into documents?", "CsvLoader"},
        {"Which one-liner builds a searchable index from a CSV file?", "What is the quickest way to index a CSV file?",
            "VectorstoreIndex.fromCsv(path)"},
        {"Which embedding model runs inside the Trellis process?", "What model computes embeddings locally?", "all-MiniLM-L6-v2"},
        {"Where does Trellis keep embeddings on disk?", "Which library stores the vectors?", "a Lucene index"},
        {"Which interface do Trellis chat models implement?", "What type do I pass where Trellis needs a chat model?",
            "langchain4j's ChatModel"},
        {"Which class plugs a local checkpoint into a langchain4j application?", "How do I chat with my finetuned model from Java?",
            "LocalChatModel"},
        {"Which environment variable holds the OpenAI API key?", "Where does Trellis read the API key from?", "OPENAI_API_KEY"},
        {"Which environment variable points Trellis at another OpenAI-compatible server?",
            "How do I use Ollama or vLLM instead of OpenAI?", "OPENAI_BASE_URL"},
        {"Which environment variable picks the remote model?", "How do I choose which remote model Trellis calls?", "TRELLIS_MODEL"},
        {"Which Java version does Trellis need?", "What JDK do I need to build Trellis?", "Java 17"},
        {"Which library does Trellis train models with?", "What runs the neural network code in Trellis?",
            "DJL with the PyTorch engine"},
        {"Which architectures can CausalLM load?", "Which model families does the finetune module support?",
            "gpt_neox, gpt2 and llama"},
        {"Which file records the prompt template a checkpoint was trained with?", "Where does a checkpoint keep its training provenance?",
            "trellis.json"},
        {"Which file holds a checkpoint's weights?", "In which format are model weights saved?", "model.safetensors"},
        {"Which file holds a checkpoint's tokenizer?", "What tokenizer file does a Trellis checkpoint contain?", "tokenizer.json"},
        {"Which class trains a byte-level BPE tokenizer?", "How do I make a tokenizer for a new model?", "BpeTrainer"},
        {"Which class loads a Hugging Face tokenizer.json?", "How do I use a downloaded model's tokenizer?", "HfTokenizer"},
        {"How do I load a finetuning dataset?", "What reads a JSONL file of questions and answers?", "InstructionDataset.load(path)"},
        {"Which file formats can InstructionDataset read?", "Can Trellis read CSV training data?", "JSONL, JSON arrays and CSV"},
        {"Which field pairs does Trellis detect in a dataset?", "What field names does a training file need?",
            "question/answer, instruction/response, input/output or text"},
        {"What label value leaves a token out of the loss?", "How is the prompt masked in the labels?", "-100"},
        {"Which token pads training batches?", "What does Trellis pad sequences with?", "the end-of-sequence token"},
        {"Which side does Trellis cut over-long training examples on by default?", "Does truncation keep the start or the end?",
            "the left"},
        {"What is the default maximum length of a training sequence?", "How long may a tokenized example be by default?",
            "2048 tokens"},
        {"By default, which tokens does finetuning learn from?", "Does Trellis train on the prompt as well as the answer?",
            "only the answer tokens"},
        {"Which method splits a dataset so test products never appear in training?", "How do I keep whole groups out of the training split?",
            "trainTestSplitByGroup"},
        {"Which method makes a seeded train/test split?", "How do I split my data reproducibly?", "trainTestSplit(testSize, seed)"},
        {"What happens to bad records by default?", "What does Trellis do with an invalid line in my dataset?",
            "loading fails and lists them with line numbers"},
        {"How do I skip bad records instead of failing?", "Can Trellis ignore broken lines in a dataset?",
            "onBadRecord(BadRecordPolicy.SKIP)"},
        {"Which system property keeps DJL offline?", "How do I stop DJL from downloading anything?", "ai.djl.offline=true"},
        {"How does Trellis write checkpoints safely?", "Can a crash leave a half-written checkpoint?",
            "temp file, fsync, then rename"},
        {"Which agent styles does Trellis offer?", "Can Trellis agents use text reasoning as well as function calls?",
            "ReAct and function calling"},
        {"Which prompt template does Trellis use for question/answer finetuning?", "What headers surround a question in training data?",
            "### Question: and ### Answer:"},
        {"Which class turns examples into token ids and labels?", "What tokenizes a dataset for causal-LM training?",
            "DatasetTokenizer"},
        {"Does the Trellis test suite download model weights?", "Do I need internet access to run the tests?", "No"},
    };
}
