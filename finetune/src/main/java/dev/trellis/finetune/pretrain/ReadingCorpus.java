package dev.trellis.finetune.pretrain;

import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.pretrain.RecordSchema.Field;
import dev.trellis.finetune.pretrain.RecordSchema.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The generator of Trellis' pretraining corpus: made-up records of {@link ReadingSchemas eleven kinds}
 * shown as a retrieval prompt shows them ({@code key: value} lines, a blank line between records), with a
 * question that needs a lookup in that context, in the course's {@code ### Question:} / {@code ### Answer:}
 * template; plus grading exercises in the QA evaluator's prompt and plain prose describing records.
 *
 * <p>Deterministic for a seed: the same seed gives the same documents in the same order. Every value is
 * random, so an answer can be read from the context but never remembered: what a model learns here is to
 * read. Question types: {@code field} (a value of the record the question names), {@code which} (the record
 * with a given value), {@code which2} (two values), {@code compare} (more/less, earlier/later), {@code count},
 * {@code yes_no}, {@code not_in_context} (answered with {@link #notInContext}).
 */
public final class ReadingCorpus {

    /** The refusal when the context does not hold what the question names; {@code %s} is the record's noun. */
    public static final String NOT_IN_CONTEXT = "I don't know; that %s is not in the given context.";
    /** The template every reading and grading example is rendered with. */
    public static final InstructionTemplate TEMPLATE = InstructionTemplate.QUESTION_ANSWER;
    /** The grading prompt, the same text as the framework's {@code QAEvalChain.TEMPLATE}. */
    static final String GRADING_PROMPT = dev.trellis.framework.eval.QAEvalChain.TEMPLATE;

    /** A prompt (context and question, untemplated), its exact answer, and the question type. */
    public record Example(String prompt, String answer, String type, String schema) {
        /** The whole training text: the template around the prompt, then the answer. */
        public String text() {
            return TEMPLATE.format(prompt) + answer;
        }
    }

    /**
     * The corpus this code writes for a new run. 1: the first (trellis-base's, whose trellis.json has no
     * {@code corpus_version}); 2 adds acronym ratings and near-miss not-in-context questions; 3 gives wrong
     * student answers in grading exercises the same wordings as right ones (in 1 and 2 only right answers
     * ended "X." or came as "It is X.", a cue a model grades by instead of comparing). A version stays
     * reproducible: the same seed and version give the same documents.
     */
    public static final int VERSION = 3;

    private final Random rnd;
    private final List<RecordSchema> schemas;
    private final boolean nearMisses;
    private final boolean sameGradingWordings;

    public ReadingCorpus(long seed) {
        this(seed, VERSION);
    }

    /** The corpus of {@code seed} as version {@code version} of this generator wrote it. */
    public ReadingCorpus(long seed, int version) {
        this(seed, version == 1 ? ReadingSchemas.withoutRatings(ReadingSchemas.ALL) : ReadingSchemas.ALL, version >= 2,
                version >= 3);
        if (version < 1 || version > VERSION) {
            throw new IllegalArgumentException("reading corpus version " + version + " is unknown; this build writes 1 to "
                    + VERSION);
        }
    }

    public ReadingCorpus(long seed, List<RecordSchema> schemas) {
        this(seed, schemas, true, true);
    }

    private ReadingCorpus(long seed, List<RecordSchema> schemas, boolean nearMisses, boolean sameGradingWordings) {
        this.rnd = new Random(seed);
        this.schemas = List.copyOf(schemas);
        this.nearMisses = nearMisses;
        this.sameGradingWordings = sameGradingWordings;
    }

    /** The refusal for a record kind. */
    public static String notInContext(String noun) {
        return String.format(Locale.ROOT, NOT_IN_CONTEXT, noun);
    }

    /**
     * The next training document (template applied, no end-of-text token): a reading example with
     * 1 to {@code maxRecords} records, or one time in ten a grading exercise. Prose comes from {@link #prose()}.
     */
    public String nextDocument(int maxRecords) {
        return rnd.nextInt(10) == 0 ? grading().text() : reading(maxRecords).text();
    }

    /** A reading question over a context of 1 to {@code maxRecords} records of one random kind. */
    public Example reading(int maxRecords) {
        RecordSchema schema = schemas.get(rnd.nextInt(schemas.size()));
        int n = 1 + rnd.nextInt(Math.max(1, maxRecords));
        List<Map<String, String>> records = records(schema, n);
        List<String> shown = shownFields(schema);
        boolean dollars = rnd.nextBoolean();
        for (int attempt = 0; attempt < 20; attempt++) {
            Example e = question(schema, records, shown);
            if (e != null) {
                return new Example(context(schema, records, shown, dollars) + "\nQuestion: " + e.prompt(), e.answer(),
                        e.type(), schema.noun());
            }
        }
        // always possible: a field of one record
        Example e = fieldQuestion(schema, records, shown, records.get(rnd.nextInt(n)));
        return new Example(context(schema, records, shown, dollars) + "\nQuestion: " + e.prompt(), e.answer(), e.type(),
                schema.noun());
    }

    /** A grading exercise: the QA evaluator's prompt over a reading question and a right or wrong student answer. */
    public Example grading() {
        Example q = reading(3);
        String question = q.prompt().substring(q.prompt().lastIndexOf("\nQuestion: ") + "\nQuestion: ".length());
        String truth = q.answer();
        boolean correct = rnd.nextBoolean();
        String student;
        if (correct) {
            student = worded(truth, rnd.nextInt(5));
        } else if (sameGradingWordings) {
            student = worded(wrongValue(q), rnd.nextInt(5));
        } else {
            student = wrongAnswer(q);
        }
        String prompt = GRADING_PROMPT.replace("{query}", question).replace("{answer}", truth).replace("{result}", student);
        return new Example(prompt, correct ? "CORRECT" : "INCORRECT", "grade", q.schema());
    }

    /**
     * A student's wording of an answer, by {@code form}: 0 as it is, 1 with a full stop, 2 in a sentence, 3 in lower
     * case, 4 "It is X.". Grading exercises give right and wrong answers the same forms, so only what they say
     * tells them apart.
     */
    public static String worded(String answer, int form) {
        return switch (form) {
            case 0 -> answer;
            case 1 -> answer + ".";
            case 2 -> "The answer is " + answer + ".";
            case 3 -> answer.toLowerCase(Locale.ROOT);
            default -> "It is " + answer + ".";
        };
    }

    /** A wrong answer's value: another question's answer, or a refusal (version 3 on). */
    private String wrongValue(Example q) {
        for (int i = 0; i < 10; i++) {
            Example other = reading(3);
            if (!other.answer().equalsIgnoreCase(q.answer())) {
                return other.answer();
            }
        }
        return notInContext(q.schema()).equals(q.answer()) ? "Yes" : notInContext(q.schema());
    }

    /** A wrong answer as versions 1 and 2 worded it (never "X." or "It is X."). */
    private String wrongAnswer(Example q) {
        for (int i = 0; i < 10; i++) {
            Example other = reading(3);
            if (!other.answer().equalsIgnoreCase(q.answer())) {
                return switch (rnd.nextInt(3)) {
                    case 0 -> other.answer();
                    case 1 -> "The answer is " + other.answer() + ".";
                    default -> other.answer().toLowerCase(Locale.ROOT);
                };
            }
        }
        return notInContext(q.schema()).equals(q.answer()) ? "Yes" : notInContext(q.schema());
    }

    /** Plain prose: one to three records described in sentences. */
    public String prose() {
        RecordSchema schema = schemas.get(rnd.nextInt(schemas.size()));
        List<Map<String, String>> records = records(schema, 1 + rnd.nextInt(3));
        StringBuilder sb = new StringBuilder();
        for (Map<String, String> r : records) {
            String name = schema.article() + r.get("name");
            sb.append(ReadingSchemas.capitalize(name)).append(" (").append(r.get("id")).append(") is a ")
                    .append(schema.noun()).append(". ");
            List<Field> fields = new ArrayList<>(schema.fields());
            Collections.shuffle(fields, rnd);
            for (Field f : fields) {
                if (f.describe() != null) {
                    sb.append(f.describe().replace("{Name}", ReadingSchemas.capitalize(name)).replace("{name}", name)
                            .replace("{value}", answerValue(f, r.get(f.key())))).append(' ');
                }
            }
            sb.setLength(sb.length() - 1);
            sb.append("\n\n");
        }
        return sb.toString().strip();
    }

    private List<Map<String, String>> records(RecordSchema schema, int n) {
        List<Map<String, String>> out = new ArrayList<>();
        String prefix = schema.idPrefixes().get(rnd.nextInt(schema.idPrefixes().size()));
        int digits = 3 + rnd.nextInt(3);
        while (out.size() < n) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("id", prefix + "-" + String.format(Locale.ROOT, "%0" + digits + "d", rnd.nextInt((int) Math.pow(10, digits))));
            r.put("name", schema.names().apply(rnd));
            for (Field f : schema.fields()) {
                r.put(f.key(), f.values().apply(rnd));
            }
            r.put("name", composeName(r));
            if (out.stream().noneMatch(o -> o.get("name").equals(r.get("name")) || o.get("id").equals(r.get("id")))) {
                out.add(r);
            }
        }
        return out;
    }

    /** A name may embed field values, as a catalogue's "... Tent in Coral" does: {key} is the value, capitalised. */
    private static String composeName(Map<String, String> r) {
        String name = r.get("name");
        int open;
        while ((open = name.indexOf('{')) >= 0) {
            int close = name.indexOf('}', open);
            String value = r.get(name.substring(open + 1, close));
            StringBuilder cap = new StringBuilder();
            for (String w : value.split(" ")) {
                cap.append(cap.length() > 0 ? " " : "").append(ReadingSchemas.capitalize(w));
            }
            name = name.substring(0, open) + cap + name.substring(close + 1);
        }
        return name;
    }

    /** The fields shown, in order: usually id and name first then the rest; sometimes shuffled or a subset. */
    private List<String> shownFields(RecordSchema schema) {
        List<String> rest = new ArrayList<>();
        schema.fields().forEach(f -> rest.add(f.key()));
        int roll = rnd.nextInt(10);
        if (roll >= 4) {
            Collections.shuffle(rest, rnd);
        }
        if (rnd.nextInt(4) == 0 && rest.size() > 3) {
            rest.subList(0, rnd.nextInt(rest.size() - 2)).clear(); // a subset, as a CSV with fewer columns
        }
        List<String> order = new ArrayList<>();
        if (roll < 7) {
            order.add(rnd.nextInt(4) == 0 ? "name" : "id");
            order.add(order.get(0).equals("id") ? "name" : "id");
            order.addAll(rest);
        } else {
            order.addAll(rest);
            order.add("id");
            order.add("name");
            Collections.shuffle(order, rnd);
        }
        return order;
    }

    private static String context(RecordSchema schema, List<Map<String, String>> records, List<String> shown, boolean dollars) {
        StringBuilder sb = new StringBuilder("Context:\n");
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(record(schema, records.get(i), shown, dollars));
        }
        return sb.toString();
    }

    /** One record as the context shows it: a {@code key: value} line per shown field. */
    private static String record(RecordSchema schema, Map<String, String> record, List<String> shown, boolean dollars) {
        StringBuilder sb = new StringBuilder();
        for (String key : shown) {
            String v = record.get(key);
            Field f = field(schema, key);
            if (f != null && f.kind() == Kind.PRICE && dollars) {
                v = "$" + v;
            }
            sb.append(key).append(": ").append(v).append('\n');
        }
        return sb.toString();
    }

    /**
     * A copying exercise: repeat a line of random made-up words, the whole context, or the record a question
     * names, word for word. Dense copying is what grows the attention heads that find a token's earlier
     * occurrence and copy what followed it (induction heads); sparse lookup answers alone do not grow them in
     * a CPU budget, and every lookup reuses them (see {@code AssociativeRecallExperiment},
     * {@code BpeCopyingExperiment}).
     */
    public Example copying() {
        int roll = rnd.nextInt(4);
        if (roll < 2) {
            String line = randomLine(rnd);
            return new Example("Context:\n" + line + "\nQuestion: " + REPEAT_CONTEXT, line, "copy", "line");
        }
        RecordSchema schema = schemas.get(rnd.nextInt(schemas.size()));
        List<Map<String, String>> records = records(schema, 1 + rnd.nextInt(3));
        List<String> shown = shownFields(schema);
        boolean dollars = rnd.nextBoolean();
        String context = context(schema, records, shown, dollars);
        if (roll == 2) {
            return new Example(context + "\nQuestion: " + REPEAT_CONTEXT, context.substring("Context:\n".length()).strip(),
                    "copy", schema.noun());
        }
        Map<String, String> target = records.get(rnd.nextInt(records.size()));
        String q = rnd.nextBoolean() || !shown.contains("id")
                ? "Repeat the record of " + schema.article() + target.get("name") + " word for word."
                : "Repeat the record with the id " + target.get("id") + " word for word.";
        return new Example(context + "\nQuestion: " + q, record(schema, target, shown, dollars).strip(), "copy_record",
                schema.noun());
    }

    /** The copying exercise's instruction for the whole context. */
    static final String REPEAT_CONTEXT = "Repeat the context word for word.";

    /** 6 to 17 random made-up words and numbers, some on new lines: text no model can predict, only copy. */
    static String randomLine(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 6 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(r.nextInt(4) == 0 ? "\n" : " ");
            }
            switch (r.nextInt(3)) {
                case 0 -> sb.append(ReadingSchemas.syllables(r, 1 + r.nextInt(3)));
                case 1 -> sb.append(r.nextInt(100000));
                default -> sb.append(ReadingSchemas.capitalize(ReadingSchemas.syllables(r, 1 + r.nextInt(2))));
            }
        }
        return sb.toString();
    }

    private static Field field(RecordSchema schema, String key) {
        for (Field f : schema.fields()) {
            if (f.key().equals(key)) {
                return f;
            }
        }
        return null;
    }

    /** One question of a random type, or null when that type does not fit these records. */
    private Example question(RecordSchema schema, List<Map<String, String>> records, List<String> shown) {
        int roll = rnd.nextInt(100);
        Map<String, String> target = records.get(rnd.nextInt(records.size()));
        if (roll < 44) {
            return fieldQuestion(schema, records, shown, target);
        }
        if (roll < 58) {
            return whichQuestion(schema, records, shown, target);
        }
        if (roll < 63) {
            return whichTwoQuestion(schema, records, shown, target);
        }
        if (roll < 75) {
            return compareQuestion(schema, records, shown);
        }
        if (roll < 82) {
            return countQuestion(schema, records, shown);
        }
        if (roll < 93) {
            return yesNoQuestion(schema, records, shown, target);
        }
        return notInContextQuestion(schema, records, shown); // rare: a frequent refusal is the answer a model falls back on
    }

    private Example fieldQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown,
                                  Map<String, String> target) {
        String name = schema.article() + target.get("name");
        List<String> askable = new ArrayList<>(shown);
        askable.remove("name");
        String key = askable.get(rnd.nextInt(askable.size()));
        if (key.equals("id")) {
            String q = ReadingSchemas.pick(rnd, "What is the id of {name}?", "Which id does {name} have?",
                    "What is the {noun} id of {name}?");
            return new Example(fill(q, name, schema), target.get("id"), "field", schema.noun());
        }
        Field f = field(schema, key);
        // half the time the question names the key itself: the same tokens as in the context, the lookup's
        // easiest cue; else one of the field's own phrasings, which a finetune adds more of
        String q = rnd.nextBoolean() ? "What is the {key} of {name}?".replace("{key}", spoken(f))
                : f.asks().get(rnd.nextInt(f.asks().size()));
        return new Example(fill(q, name, schema), answerValue(f, target.get(key)), "field", schema.noun());
    }

    private Example whichQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown,
                                  Map<String, String> target) {
        if (rnd.nextInt(4) == 0 && shown.contains("id")) {
            String q = ReadingSchemas.pick(rnd, "Which {noun} has the id {value}?", "What is the name of {noun} {value}?",
                    "Which {noun} is {value}?");
            return new Example(q.replace("{noun}", schema.noun()).replace("{value}", target.get("id")), target.get("name"),
                    "which", schema.noun());
        }
        List<Field> candidates = new ArrayList<>();
        for (Field f : schema.fields()) {
            if (f.reverse() != null && shown.contains(f.key()) && unique(records, f.key(), target.get(f.key()))) {
                candidates.add(f);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Field f = candidates.get(rnd.nextInt(candidates.size()));
        return new Example(f.reverse().replace("{value}", target.get(f.key())), target.get("name"), "which", schema.noun());
    }

    private Example whichTwoQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown,
                                     Map<String, String> target) {
        List<Field> cats = new ArrayList<>();
        for (Field f : schema.fields()) {
            if (f.kind() == Kind.CATEGORY && shown.contains(f.key())) {
                cats.add(f);
            }
        }
        if (cats.size() < 2 || records.size() < 2) {
            return null;
        }
        Collections.shuffle(cats, rnd);
        Field a = cats.get(0);
        Field b = cats.get(1);
        long matches = records.stream().filter(r -> r.get(a.key()).equals(target.get(a.key()))
                && r.get(b.key()).equals(target.get(b.key()))).count();
        if (matches != 1) {
            return null;
        }
        String q = ReadingSchemas.pick(rnd, "Which {noun} has {k1} {v1} and {k2} {v2}?",
                "I want the {noun} whose {k1} is {v1} and whose {k2} is {v2}. What is it called?");
        return new Example(q.replace("{noun}", schema.noun()).replace("{k1}", a.key()).replace("{v1}", target.get(a.key()))
                .replace("{k2}", b.key()).replace("{v2}", target.get(b.key())), target.get("name"), "which2", schema.noun());
    }

    private Example compareQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown) {
        if (records.size() < 2) {
            return null;
        }
        List<Field> comparable = new ArrayList<>();
        for (Field f : schema.fields()) {
            if (f.more() != null && shown.contains(f.key())) {
                comparable.add(f);
            }
        }
        if (comparable.isEmpty()) {
            return null;
        }
        Field f = comparable.get(rnd.nextInt(comparable.size()));
        List<Map<String, String>> two = new ArrayList<>(records);
        Collections.shuffle(two, rnd);
        Map<String, String> a = two.get(0);
        Map<String, String> b = two.get(1);
        int cmp = compare(f, a.get(f.key()), b.get(f.key()));
        if (cmp == 0) {
            return null;
        }
        boolean more = rnd.nextBoolean();
        String q = (more ? f.more() : f.less()).replace("{a}", schema.article() + a.get("name"))
                .replace("{b}", schema.article() + b.get("name"));
        Map<String, String> winner = (cmp > 0) == more ? a : b;
        return new Example(ReadingSchemas.capitalize(q), winner.get("name"), "compare", schema.noun());
    }

    private Example countQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown) {
        if (rnd.nextInt(3) == 0) {
            String q = ReadingSchemas.pick(rnd, "How many {plural} are listed?", "How many {plural} are in the context?");
            return new Example(q.replace("{plural}", schema.plural()), Integer.toString(records.size()), "count", schema.noun());
        }
        List<Field> cats = new ArrayList<>();
        for (Field f : schema.fields()) {
            if (f.kind() == Kind.CATEGORY && shown.contains(f.key())) {
                cats.add(f);
            }
        }
        if (cats.isEmpty()) {
            return null;
        }
        Field f = cats.get(rnd.nextInt(cats.size()));
        String value = records.get(rnd.nextInt(records.size())).get(f.key());
        long count = records.stream().filter(r -> r.get(f.key()).equals(value)).count();
        return new Example("How many " + schema.plural() + " have " + f.key() + " " + value + "?", Long.toString(count),
                "count", schema.noun());
    }

    private Example yesNoQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown,
                                  Map<String, String> target) {
        List<String> keys = new ArrayList<>(shown);
        keys.remove("name");
        keys.remove("id");
        if (keys.isEmpty()) {
            return null;
        }
        Field f = field(schema, keys.get(rnd.nextInt(keys.size())));
        String name = schema.article() + target.get("name");
        if ((f.kind() == Kind.PRICE || f.kind() == Kind.NUMBER) && rnd.nextBoolean()) {
            double v = leadingNumber(target.get(f.key()));
            double threshold = Math.max(1, Math.round(v * (0.5 + rnd.nextDouble())));
            if (threshold == v) {
                return null;
            }
            String shownThreshold = f.kind() == Kind.PRICE ? String.format(Locale.ROOT, "$%.2f", threshold)
                    : Long.toString((long) threshold);
            String q = "Is the " + f.key() + " of " + name + " more than " + shownThreshold + "?";
            return new Example(q, v > threshold ? "Yes" : "No", "yes_no", schema.noun());
        }
        boolean truth = rnd.nextBoolean();
        String value = target.get(f.key());
        if (!truth) {
            String other = f.values().apply(rnd);
            for (Map<String, String> r : records) {
                if (r != target && rnd.nextBoolean()) {
                    other = r.get(f.key());
                }
            }
            if (other.equals(value)) {
                return null;
            }
            value = other;
        }
        String q = f.kind() == Kind.RATING ? "Does " + name + " have " + answerValue(f, value).replace("No ", "no ") + "?"
                : "Is the " + f.key() + " of " + name + " " + answerValue(f, value) + "?";
        return new Example(q, truth ? "Yes" : "No", "yes_no", schema.noun());
    }

    private Example notInContextQuestion(RecordSchema schema, List<Map<String, String>> records, List<String> shown) {
        Map<String, String> ghost = records(schema, 1).get(0);
        if (nearMisses && rnd.nextBoolean()) {
            ghost.put("name", nearMiss(records.get(rnd.nextInt(records.size())).get("name"), ghost.get("name")));
        }
        if (records.stream().anyMatch(r -> r.get("name").equals(ghost.get("name")))) {
            return null;
        }
        Example e = fieldQuestion(schema, List.of(ghost), shown, ghost);
        return new Example(e.prompt(), notInContext(schema.noun()), "not_in_context", schema.noun());
    }

    /**
     * A shown record's name with one word swapped for a word of another name ("Velo Amber Tent in Coral" for
     * "Velo Amber Tent in Teal"): catalogue products share most of their words, so telling "the record the
     * question names is absent" from "a record much like it is present" must look at every word.
     */
    private String nearMiss(String shown, String other) {
        String[] words = shown.split(" ");
        List<String> donor = new ArrayList<>();
        for (String w : other.split(" ")) {
            if (!w.isEmpty() && Character.isUpperCase(w.charAt(0)) && !List.of(words).contains(w)) {
                donor.add(w);
            }
        }
        List<Integer> swappable = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            if (!words[i].isEmpty() && Character.isUpperCase(words[i].charAt(0))) {
                swappable.add(i); // a name word, not "in" or "of"
            }
        }
        if (donor.isEmpty() || swappable.isEmpty()) {
            return other;
        }
        words[swappable.get(rnd.nextInt(swappable.size()))] = donor.get(rnd.nextInt(donor.size()));
        return String.join(" ", words);
    }

    private static String fill(String question, String name, RecordSchema schema) {
        return ReadingSchemas.capitalize(question.replace("{name}", name).replace("{noun}", schema.noun()));
    }

    /** How a value is answered: prices always with a dollar sign. */
    static String answerValue(Field f, String raw) {
        return switch (f.kind()) {
            case PRICE -> "$" + raw;
            case RATING -> "none".equals(raw) ? "No " + spoken(f) + " rating" : spoken(f) + " " + raw;
            default -> raw;
        };
    }

    /** How a question names a field: a rating's acronym in capitals, any other key as the context shows it. */
    private static String spoken(Field f) {
        return f.kind() == Kind.RATING ? f.key().toUpperCase(Locale.ROOT) : f.key();
    }

    private static boolean unique(List<Map<String, String>> records, String key, String value) {
        return records.stream().filter(r -> r.get(key).equals(value)).count() == 1;
    }

    private static int compare(Field f, String a, String b) {
        if (f.kind() == Kind.DATE) {
            return Integer.signum(a.compareTo(b));
        }
        return Double.compare(leadingNumber(a), leadingNumber(b));
    }

    private static double leadingNumber(String s) {
        int end = 0;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
            end++;
        }
        return Double.parseDouble(s.substring(0, end));
    }
}
