package dev.trellis.framework.prompts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Python's format-spec mini-language for a template field, as in {@code {price:.2f}},
 * {@code {name:>10}}, {@code {count:,}}, {@code {ratio:.1%}} or {@code {id:08x}}:
 * {@code [[fill]align][sign][z][#][0][width][grouping][.precision][type]}, parsed once when the
 * template is built. Numbers are formatted as Python formats them (round-half-even on the
 * exact value for {@code f} and {@code %}); any other value is formatted as its text.
 */
final class FormatSpec {

    private final String spec;
    private final char fill;
    private final char align;      // '<', '>', '^', '=' or 0 for the type's default
    private final char sign;       // '+', '-', ' '
    private final boolean noNegativeZero;
    private final boolean alternate;
    private final int width;       // -1 when absent
    private final char grouping;   // ',', '_' or 0
    private final int precision;   // -1 when absent
    private final char type;       // 0 when absent

    private FormatSpec(String spec, char fill, char align, char sign, boolean noNegativeZero, boolean alternate,
                       int width, char grouping, int precision, char type) {
        this.spec = spec;
        this.fill = fill;
        this.align = align;
        this.sign = sign;
        this.noNegativeZero = noNegativeZero;
        this.alternate = alternate;
        this.width = width;
        this.grouping = grouping;
        this.precision = precision;
        this.type = type;
    }

    /** Parses a spec; the message of a bad one names the spec and what is wrong with it. */
    static FormatSpec parse(String spec) {
        int i = 0;
        int n = spec.length();
        char fill = ' ';
        char align = 0;
        if (n >= 2 && isAlign(spec.charAt(1))) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if (n >= 1 && isAlign(spec.charAt(0))) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = '-';
        if (i < n && (spec.charAt(i) == '+' || spec.charAt(i) == '-' || spec.charAt(i) == ' ')) {
            sign = spec.charAt(i++);
        }
        boolean noNegativeZero = false;
        if (i < n && spec.charAt(i) == 'z') {
            noNegativeZero = true;
            i++;
        }
        boolean alternate = false;
        if (i < n && spec.charAt(i) == '#') {
            alternate = true;
            i++;
        }
        if (i < n && spec.charAt(i) == '0') {
            if (align == 0) {
                fill = '0';
                align = '=';
            }
            i++;
        }
        int start = i;
        while (i < n && Character.isDigit(spec.charAt(i))) {
            i++;
        }
        int width = i > start ? Integer.parseInt(spec.substring(start, i)) : -1;
        char grouping = 0;
        if (i < n && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
            grouping = spec.charAt(i++);
        }
        int precision = -1;
        if (i < n && spec.charAt(i) == '.') {
            start = ++i;
            while (i < n && Character.isDigit(spec.charAt(i))) {
                i++;
            }
            if (i == start) {
                throw new IllegalArgumentException("format spec '" + spec + "': '.' must be followed by a precision");
            }
            precision = Integer.parseInt(spec.substring(start, i));
        }
        char type = 0;
        if (i < n) {
            type = spec.charAt(i++);
            if ("bcdeEfFgGnosxX%".indexOf(type) < 0) {
                throw new IllegalArgumentException("format spec '" + spec + "': unknown type '" + type
                        + "'; use one of b c d e E f F g G n o s x X %");
            }
        }
        if (i < n) {
            throw new IllegalArgumentException("format spec '" + spec + "' is not [[fill]align][sign][z][#][0][width]"
                    + "[grouping][.precision][type]; unexpected '" + spec.substring(i) + "'");
        }
        if (precision >= 0 && "bcdoxXn".indexOf(type) >= 0 && type != 0 && type != 'n') {
            throw new IllegalArgumentException("format spec '" + spec + "': precision not allowed with integer type '"
                    + type + "'");
        }
        return new FormatSpec(spec, fill, align, sign, noNegativeZero, alternate, width, grouping, precision, type);
    }

    private static boolean isAlign(char c) {
        return c == '<' || c == '>' || c == '^' || c == '=';
    }

    /**
     * Formats a value.
     *
     * @param value the value, a {@code Supplier} already called
     * @param text  how the value renders as prompt text, used for values that are not numbers
     * @throws IllegalArgumentException when a number type ({@code d}, {@code f}, ...) meets a non-number
     */
    String apply(Object value, String text) {
        if (value instanceof Number number && type != 's') {
            return formatNumber(number);
        }
        if (type != 0 && type != 's') {
            throw new IllegalArgumentException("format spec '" + spec + "' needs a number, but the value is a "
                    + (value == null ? "null" : value.getClass().getSimpleName()) + " '" + text + "'; pass a number "
                    + "(e.g. a Double) or drop the spec");
        }
        if (sign != '-' || align == '=' || grouping != 0 || alternate) {
            throw new IllegalArgumentException("format spec '" + spec + "' uses a sign, '=', '#' or grouping, which "
                    + "only numbers take, but the value is text '" + text + "'");
        }
        String s = precision >= 0 && text.length() > precision ? text.substring(0, precision) : text;
        return pad("", s, align == 0 ? '<' : align);
    }

    private String formatNumber(Number number) {
        boolean integral = number instanceof Integer || number instanceof Long || number instanceof Short
                || number instanceof Byte || number instanceof BigInteger
                || number instanceof java.util.concurrent.atomic.AtomicInteger
                || number instanceof java.util.concurrent.atomic.AtomicLong;
        char t = type;
        boolean noType = t == 0;
        if (noType && integral && precision >= 0) {
            throw new IllegalArgumentException("format spec '" + spec + "': precision not allowed for the integer "
                    + number + "; add a type such as 'f'");
        }
        if (t == 0 || t == 'n') {
            t = integral ? 'd' : (precision >= 0 ? 'g' : 0);
        }
        String body;
        boolean negative;
        String prefix = "";
        if ("bcdoxX".indexOf(t) >= 0 && t != 0) {
            if (!integral) {
                throw new IllegalArgumentException("format spec '" + spec + "' (type '" + t + "') needs an integer, "
                        + "but the value is the " + number.getClass().getSimpleName() + " " + number);
            }
            BigInteger big = number instanceof BigInteger b ? b : BigInteger.valueOf(number.longValue());
            negative = big.signum() < 0;
            big = big.abs();
            switch (t) {
                case 'b' -> {
                    body = big.toString(2);
                    prefix = alternate ? "0b" : "";
                }
                case 'o' -> {
                    body = big.toString(8);
                    prefix = alternate ? "0o" : "";
                }
                case 'x' -> {
                    body = big.toString(16);
                    prefix = alternate ? "0x" : "";
                }
                case 'X' -> {
                    body = big.toString(16).toUpperCase(Locale.ROOT);
                    prefix = alternate ? "0X" : "";
                }
                case 'c' -> {
                    return pad("", new String(Character.toChars(big.intValueExact())), align == 0 ? '<' : align);
                }
                default -> body = big.toString();
            }
            body = group(body, t == 'd' ? 3 : 4);
        } else {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                negative = d < 0;
                body = Double.isNaN(d) ? "nan" : "inf";
                if (Character.isUpperCase(t)) {
                    body = body.toUpperCase(Locale.ROOT);
                }
            } else {
                BigDecimal exact = number instanceof BigDecimal bd ? bd
                        : integral ? new BigDecimal(number.toString()) : new BigDecimal(d);
                negative = exact.signum() < 0 || (exact.signum() == 0 && 1 / d < 0);
                exact = exact.abs();
                body = switch (t) {
                    case 'f', 'F' -> group(fixed(exact, precision < 0 ? 6 : precision), 3);
                    case '%' -> group(fixed(exact.movePointRight(2), precision < 0 ? 6 : precision), 3) + "%";
                    case 'e', 'E' -> scientific(exact, precision < 0 ? 6 : precision, t == 'E');
                    case 'g', 'G' -> general(exact, precision < 0 ? 6 : Math.max(1, precision), t == 'G', noType);
                    default -> group(shortest(number, d), 3);
                };
                if (negative && noNegativeZero && body.chars().noneMatch(ch -> ch >= '1' && ch <= '9')) {
                    negative = false;
                }
            }
        }
        String signText = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
        return pad(signText + prefix, body, align == 0 ? '>' : align);
    }

    /** Python's {@code str(float)}: the shortest text that reads back as the same number. */
    private static String shortest(Number number, double d) {
        if (number instanceof BigDecimal bd) {
            return bd.abs().toPlainString();
        }
        double abs = Math.abs(d);
        String text = number instanceof Float f ? Float.toString(Math.abs(f)) : Double.toString(abs);
        if (text.contains("E")) {
            BigDecimal value = new BigDecimal(text);
            if (abs >= 1e16 || abs < 1e-4) {
                return scientificFromDigits(value);
            }
            String plain = value.toPlainString();
            return plain.indexOf('.') < 0 ? plain + ".0" : plain;
        }
        return text;
    }

    private static String scientificFromDigits(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        int exponent = stripped.precision() - stripped.scale() - 1;
        String digits = stripped.unscaledValue().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    private String fixed(BigDecimal value, int places) {
        String text = value.setScale(places, RoundingMode.HALF_EVEN).toPlainString();
        return alternate && places == 0 ? text + "." : text;
    }

    private String scientific(BigDecimal value, int places, boolean upper) {
        int exponent = 0;
        BigDecimal mantissa = BigDecimal.ZERO.setScale(places);
        if (value.signum() != 0) {
            BigDecimal rounded = value.round(new MathContext(places + 1, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - rounded.scale() - 1;
            mantissa = rounded.movePointLeft(exponent).setScale(places, RoundingMode.HALF_EVEN);
        }
        String m = mantissa.toPlainString();
        if (alternate && places == 0) {
            m += ".";
        }
        String e = (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        return m + (upper ? "E" : "e") + e;
    }

    /** Python's 'g'; with {@code noType} (a float with only a precision) fixed output keeps one decimal. */
    private String general(BigDecimal value, int significant, boolean upper, boolean noType) {
        int exponent = 0;
        if (value.signum() != 0) {
            BigDecimal rounded = value.round(new MathContext(significant, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - rounded.scale() - 1;
        }
        String text;
        if (exponent >= -4 && exponent < (noType ? significant - 1 : significant)) {
            text = value.setScale(significant - 1 - exponent, RoundingMode.HALF_EVEN).toPlainString();
            if (!alternate) {
                text = stripZeros(text);
            }
            if (noType && text.indexOf('.') < 0) {
                text += ".0";
            }
            return group(text, 3);
        }
        text = scientific(value, significant - 1, upper);
        if (!alternate) {
            int e = text.indexOf(upper ? 'E' : 'e');
            text = stripZeros(text.substring(0, e)) + text.substring(e);
        }
        return text;
    }

    private static String stripZeros(String text) {
        if (text.indexOf('.') < 0) {
            return text;
        }
        int end = text.length();
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        if (text.charAt(end - 1) == '.') {
            end--;
        }
        return text.substring(0, end);
    }

    /** Inserts the grouping separator into the integer digits. */
    private String group(String digits, int every) {
        if (grouping == 0) {
            return digits;
        }
        int end = 0;
        while (end < digits.length() && Character.isLetterOrDigit(digits.charAt(end))
                && (Character.isDigit(digits.charAt(end)) || every == 4)) {
            end++;
        }
        String integer = digits.substring(0, end);
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < integer.length(); k++) {
            if (k > 0 && (integer.length() - k) % every == 0) {
                out.append(grouping);
            }
            out.append(integer.charAt(k));
        }
        return out + digits.substring(end);
    }

    private String pad(String signAndPrefix, String body, char alignment) {
        int length = signAndPrefix.length() + body.length();
        if (width <= length) {
            return signAndPrefix + body;
        }
        String padding = String.valueOf(fill).repeat(width - length);
        return switch (alignment) {
            case '<' -> signAndPrefix + body + padding;
            case '^' -> {
                int left = (width - length) / 2;
                yield String.valueOf(fill).repeat(left) + signAndPrefix + body
                        + String.valueOf(fill).repeat(width - length - left);
            }
            case '=' -> signAndPrefix + padding + body;
            default -> padding + signAndPrefix + body;
        };
    }

    @Override
    public String toString() {
        return spec;
    }
}
