package dev.trellis.agents.tools;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.prompts.PromptTemplate;
import net.objecthunter.exp4j.Expression;
import net.objecthunter.exp4j.ExpressionBuilder;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LangChain's {@code llm-math} tool: the model turns a math question into one arithmetic
 * expression, and exp4j (a real expression evaluator, not a code interpreter) computes it.
 * Model text is never executed as code. Errors come back as the observation, so the agent can
 * rephrase; the answer reads {@code Answer: 75.0}, formatted the way Python prints numbers.
 */
public final class LlmMathTool implements AgentTool {

    /** The tool's name, as {@code Tools.load} knows it. */
    public static final String NAME = "Calculator";

    private static final Pattern TEXT_BLOCK = Pattern.compile("```(?:text|math)?\\s*\\n?(.*?)```", Pattern.DOTALL);
    private static final Pattern ANSWER = Pattern.compile("^\\s*Answer:\\s*(.*)$", Pattern.DOTALL | Pattern.MULTILINE);
    private static final Pattern INTEGER_ONLY = Pattern.compile("[0-9\\s+\\-*^()]+");

    private static final String PROMPT = """
            Translate a math problem into a single arithmetic expression that can be evaluated by a \
            calculator. The calculator knows numbers, + - * / ^ (power), % (remainder), parentheses and \
            the functions abs, ceil, floor, sqrt, cbrt, exp, log (natural), log10, log2, sin, cos, tan, \
            asin, acos, atan, sinh, cosh, tanh, signum, and the constants pi and e. It knows nothing \
            else: write percentages as fractions (25% of 300 is 0.25 * 300).

            Answer in exactly this format:

            Question: the math problem
            ```text
            the expression
            ```

            Question: {question}
            """;

    private final LlmChain chain;

    private LlmMathTool(ChatModel llm) {
        this.chain = LlmChain.builder()
                .name("LlmMathChain")
                .llm(Objects.requireNonNull(llm, "llm-math needs a ChatModel to translate questions into expressions"))
                .prompt(PromptTemplate.fromTemplate("llm-math", PROMPT))
                .outputKey("expression")
                .build();
    }

    /** The tool, using this model to write expressions. */
    public static LlmMathTool create(ChatModel llm) {
        return new LlmMathTool(llm);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Useful for when you need to answer questions about math. Input: the math question in words or as an expression.";
    }

    @Override
    public String run(String question) {
        String reply = chain.predict(Map.of("question", question == null ? "" : question));
        Matcher block = TEXT_BLOCK.matcher(reply);
        if (block.find()) {
            return evaluateToAnswer(block.group(1).trim());
        }
        Matcher answer = ANSWER.matcher(reply);
        if (answer.find()) {
            return "Answer: " + answer.group(1).trim();
        }
        return "Error: the model's reply holds no ```text expression block; it was: " + reply.trim()
                + ". Ask the calculator again with a plainer math question.";
    }

    /** Evaluates an expression and returns {@code Answer: <value>}, or {@code Error: ...} naming the problem. */
    public static String evaluateToAnswer(String expression) {
        try {
            return "Answer: " + evaluate(expression);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return "Error: cannot evaluate '" + expression + "': " + e.getMessage()
                    + ". Use numbers, + - * / ^ % ( ) and functions like sqrt or log.";
        }
    }

    /** Evaluates an arithmetic expression with exp4j and formats it as Python would print the result. */
    public static String evaluate(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        String normalized = expression.trim().replace("**", "^");
        Expression parsed = new ExpressionBuilder(normalized).build(); // pi and e are exp4j built-ins
        double value = parsed.evaluate();
        if (Double.isNaN(value)) {
            throw new ArithmeticException("the result is not a number");
        }
        // Python keeps integers integral unless something divides or a float appears.
        if (INTEGER_ONLY.matcher(normalized).matches() && !normalized.contains("^-")
                && Math.rint(value) == value && Math.abs(value) < 9.007199254740992E15) {
            return Long.toString((long) value);
        }
        return pythonRepr(value);
    }

    /** Python's {@code repr(float)}: fixed notation for 1e-4 <= |x| < 1e16, else {@code 1e+16} style. */
    static String pythonRepr(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        int exponent = exact.precision() - exact.scale() - 1; // position of the first digit
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String sign = exact.signum() < 0 ? "-" : "";
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    @Override
    public String toString() {
        return "LlmMathTool[" + NAME + "]";
    }
}
