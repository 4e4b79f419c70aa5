package dev.trellis.retrieval.qa;

import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.parsers.OutputParserException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a map-rerank reply: an answer followed by a line {@code Score: N} with N from 0 to 100.
 *
 * <p>The last line that starts with {@code Score} is the score line; everything before it is the
 * answer (a leading {@code Answer:} is removed). Markdown emphasis around the label, a decimal
 * score and a trailing {@code /100} or {@code %} are accepted. A reply without a score line, with
 * a score that is not a number in 0..100, or with an empty answer is an {@link OutputParserException}
 * quoting the reply, never a guessed score.
 */
public final class ScoredAnswerParser implements OutputParser<ScoredAnswer> {

    public static final ScoredAnswerParser INSTANCE = new ScoredAnswerParser();

    private static final Pattern SCORE_LINE = Pattern.compile("^[\\s*_#]*score[\\s*_]*[:=](.*)$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern NUMBER = Pattern.compile("^[\\s*_]*(\\d{1,3}(?:\\.\\d+)?)\\s*(?:/\\s*100|%)?[\\s*_.]*$");
    private static final Pattern ANSWER_LABEL = Pattern.compile("^[\\s*_#]*answer[\\s*_]*:[\\s*_]*", Pattern.CASE_INSENSITIVE);

    private ScoredAnswerParser() {
    }

    @Override
    public ScoredAnswer parse(String text) {
        if (text == null) {
            throw new OutputParserException("the map-rerank reply is null; expected an answer and a 'Score: N' line", "");
        }
        Matcher line = SCORE_LINE.matcher(text);
        int start = -1;
        String value = null;
        while (line.find()) {
            start = line.start();
            value = line.group(1);
        }
        if (value == null) {
            throw new OutputParserException("the map-rerank reply has no 'Score: N' line (N from 0 to 100)", text);
        }
        Matcher number = NUMBER.matcher(value);
        if (!number.matches()) {
            throw new OutputParserException("the map-rerank score '" + value.trim() + "' is not a number from 0 to 100", text);
        }
        double score = Double.parseDouble(number.group(1));
        if (score > 100) {
            throw new OutputParserException("the map-rerank score " + number.group(1) + " is above 100", text);
        }
        String answer = ANSWER_LABEL.matcher(text.substring(0, start).strip()).replaceFirst("").strip();
        if (answer.isEmpty()) {
            throw new OutputParserException("the map-rerank reply has a score but no answer before its 'Score:' line", text);
        }
        return new ScoredAnswer(answer, score);
    }

    @Override
    public String formatInstructions() {
        return "Reply with your answer, then a last line 'Score: N' where N is a whole number from 0 to 100.";
    }
}
