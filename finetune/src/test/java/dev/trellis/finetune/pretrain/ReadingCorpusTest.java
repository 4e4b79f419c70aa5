package dev.trellis.finetune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReadingCorpusTest {

    @Test
    void sameSeedSameDocumentsOtherSeedOthers() {
        ReadingCorpus a = new ReadingCorpus(11);
        ReadingCorpus b = new ReadingCorpus(11);
        ReadingCorpus c = new ReadingCorpus(12);
        List<String> da = IntStream.range(0, 200).mapToObj(i -> a.nextDocument(8)).toList();
        List<String> db = IntStream.range(0, 200).mapToObj(i -> b.nextDocument(8)).toList();
        List<String> dc = IntStream.range(0, 200).mapToObj(i -> c.nextDocument(8)).toList();
        assertThat(da).isEqualTo(db);
        assertThat(da).isNotEqualTo(dc);
    }

    @Test
    void coversEveryKindAndQuestionType() {
        ReadingCorpus corpus = new ReadingCorpus(3);
        Set<String> schemas = new HashSet<>();
        Map<String, Integer> types = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            ReadingCorpus.Example e = corpus.reading(8);
            schemas.add(e.schema());
            types.merge(e.type(), 1, Integer::sum);
        }
        assertThat(schemas).hasSizeGreaterThanOrEqualTo(10);
        assertThat(types).containsOnlyKeys("field", "which", "which2", "compare", "count", "yes_no", "not_in_context");
        assertThat(types.values()).allMatch(n -> n >= 30);
    }

    @Test
    void answersAreReadOffTheContext() {
        ReadingCorpus corpus = new ReadingCorpus(5);
        for (int i = 0; i < 2000; i++) {
            ReadingCorpus.Example e = corpus.reading(8);
            String context = e.prompt().substring(0, e.prompt().lastIndexOf("\nQuestion: "));
            String records = context.substring("Context:\n".length());
            int shown = records.split("\n\n").length;
            assertThat(shown).isBetween(1, 8);
            switch (e.type()) {
                case "field", "which", "which2", "compare" -> assertThat(context).as(e.prompt()).contains(readOff(e.answer()));
                case "not_in_context" -> assertThat(e.answer()).isEqualTo(ReadingCorpus.notInContext(e.schema()));
                case "yes_no" -> assertThat(e.answer()).isIn("Yes", "No");
                case "count" -> assertThat(Integer.parseInt(e.answer())).isBetween(1, shown);
                default -> throw new AssertionError(e.type());
            }
        }
    }

    /** What the context shows for an answer: the price without its $, a rating's acronym as its lower-case key. */
    private static String readOff(String answer) {
        java.util.regex.Matcher rating = java.util.regex.Pattern.compile("(No ([A-Z]+) rating|([A-Z]{3}) (\\S+))").matcher(answer);
        if (rating.matches()) {
            return rating.group(2) != null ? rating.group(2).toLowerCase(java.util.Locale.ROOT) + ": none"
                    : rating.group(3).toLowerCase(java.util.Locale.ROOT) + ": " + rating.group(4);
        }
        return answer.startsWith("$") ? answer.substring(1) : answer;
    }

    @Test
    void ratingsAreAskedInCapitalsAndAnsweredInWords() {
        ReadingCorpus corpus = new ReadingCorpus(11);
        int ratings = 0;
        int nearMisses = 0;
        for (int i = 0; i < 4000; i++) {
            ReadingCorpus.Example e = corpus.reading(4);
            String question = e.prompt().substring(e.prompt().lastIndexOf("\nQuestion: ") + 11);
            if (e.type().equals("field") && e.answer().matches("(No (UPF|IPX|AQI) rating|(UPF|IPX|AQI) \\S+)")) {
                ratings++;
                assertThat(question).as(e.prompt()).doesNotContain("upf", "ipx", "aqi");
            }
            if (e.type().equals("not_in_context")) {
                String records = e.prompt().substring(0, e.prompt().lastIndexOf("\nQuestion: "));
                long sharedWords = java.util.Arrays.stream(question.split("[ ?]+")).filter(w -> w.length() > 3
                        && Character.isUpperCase(w.charAt(0)) && records.contains(w)).count();
                nearMisses += sharedWords >= 2 ? 1 : 0;
            }
        }
        assertThat(ratings).as("rating questions").isGreaterThan(50);
        assertThat(nearMisses).as("not-in-context questions naming a near copy of a shown record").isGreaterThan(20);
    }

    @Test
    void copyingExercisesAnswerWithTheContextOrTheNamedRecordVerbatim() {
        ReadingCorpus corpus = new ReadingCorpus(17);
        Map<String, Integer> kinds = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            ReadingCorpus.Example e = corpus.copying();
            kinds.merge(e.type(), 1, Integer::sum);
            String context = e.prompt().substring("Context:\n".length(), e.prompt().lastIndexOf("\nQuestion: "));
            String question = e.prompt().substring(e.prompt().lastIndexOf("\nQuestion: ") + 1);
            if (question.equals("Question: " + ReadingCorpus.REPEAT_CONTEXT)) {
                assertThat(e.answer()).as(e.prompt()).isEqualTo(context.strip());
            } else {
                assertThat(e.type()).isEqualTo("copy_record");
                assertThat(context).as(e.prompt()).contains(e.answer() + "\n");
                assertThat(e.answer().split("\n\n")).hasSize(1); // one record, not its neighbours
                String named = question.replaceFirst("Question: Repeat the record (of |with the id )", "")
                        .replace(" word for word.", "");
                String name = line(e.answer(), "name: ");
                String id = line(e.answer(), "id: ");
                assertThat(named.endsWith(name) || named.equals(id)).as(e.prompt()).isTrue();
            }
        }
        assertThat(kinds.get("copy")).isBetween(650, 850);
        assertThat(kinds.get("copy_record")).isBetween(150, 350);
    }

    @Test
    void oneRecordStageShowsOneRecord() {
        ReadingCorpus corpus = new ReadingCorpus(9);
        for (int i = 0; i < 300; i++) {
            ReadingCorpus.Example e = corpus.reading(1);
            assertThat(e.prompt().substring(0, e.prompt().lastIndexOf("\nQuestion: ")).split("\n\n")).hasSize(1);
        }
    }

    @Test
    void gradingExercisesAnswerCorrectOrIncorrectInTheEvaluatorsPrompt() {
        ReadingCorpus corpus = new ReadingCorpus(21);
        Map<String, Integer> grades = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            ReadingCorpus.Example e = corpus.grading();
            assertThat(e.prompt()).startsWith("You are a teacher grading a quiz.").endsWith("GRADE:");
            grades.merge(e.answer(), 1, Integer::sum);
            String truth = line(e.prompt(), "TRUE ANSWER: ");
            String student = line(e.prompt(), "STUDENT ANSWER: ");
            if (e.answer().equals("CORRECT")) {
                assertThat(student.toLowerCase()).contains(truth.toLowerCase());
            }
        }
        assertThat(grades).containsOnlyKeys("CORRECT", "INCORRECT");
    }

    @Test
    void fromVersionThreeRightAndWrongStudentAnswersTakeTheSameWordings() {
        // share of student answers ending in a full stop, right vs wrong: no cue from version 3 on
        double[] v3 = fullStopShares(new ReadingCorpus(22, 3));
        assertThat(v3[0]).isBetween(0.45, 0.75);
        assertThat(Math.abs(v3[0] - v3[1])).as("right %.2f vs wrong %.2f", v3[0], v3[1]).isLessThan(0.1);
        double[] v2 = fullStopShares(new ReadingCorpus(22, 2));
        assertThat(v2[0] - v2[1]).as("version 2 keeps its cue (reproducible)").isGreaterThan(0.2);
    }

    /** Of the right, then the wrong student answers of 600 grading exercises: the share that ends in ".". */
    private static double[] fullStopShares(ReadingCorpus corpus) {
        int[] n = new int[2];
        int[] dot = new int[2];
        for (int i = 0; i < 600; i++) {
            ReadingCorpus.Example e = corpus.grading();
            int k = e.answer().equals("CORRECT") ? 0 : 1;
            n[k]++;
            dot[k] += line(e.prompt(), "STUDENT ANSWER: ").endsWith(".") ? 1 : 0;
        }
        return new double[] {(double) dot[0] / n[0], (double) dot[1] / n[1]};
    }

    @Test
    void idsNeverImitateTheCatalogue() {
        ReadingCorpus corpus = new ReadingCorpus(1);
        for (int i = 0; i < 2000; i++) {
            assertThat(corpus.nextDocument(8)).doesNotContain("TR-");
        }
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
    }
}
