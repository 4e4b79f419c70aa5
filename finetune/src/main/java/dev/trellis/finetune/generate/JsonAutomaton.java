package dev.trellis.finetune.generate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level pushdown automaton that accepts exactly the compact JSON texts valid under a
 * {@link Schema}: the heart of constrained decoding.
 *
 * <p>A state is a list of alternative stacks (more than one only while an {@code anyOf} or an enum
 * is still ambiguous). Stacks are persistent (immutable frames, shared tails), so trying every token
 * of the vocabulary from the same state costs no copying. Strings are checked to be valid UTF-8
 * byte by byte, so a token that ends in the middle of a character is fine and the finished text
 * always decodes. Between tokens at most {@link #MAX_WHITESPACE} whitespace characters are allowed,
 * so a model cannot spend its budget on blanks.
 */
final class JsonAutomaton {

    /** Whitespace characters allowed in a row between structural tokens. */
    static final int MAX_WHITESPACE = 1;

    private JsonAutomaton() {
    }

    /** A persistent stack of frames; {@link #DONE} is the stack of a finished document. */
    static final class Stack {
        static final Stack DONE = new Stack(null, null);
        final Frame top;
        final Stack rest;

        Stack(Frame top, Stack rest) {
            this.top = top;
            this.rest = rest;
        }
    }

    interface Frame {
    }

    record ValueF(Schema schema, int ws) implements Frame { }

    /** Object phases. */
    static final int OPEN = 0;
    static final int KEY = 1;
    static final int COLON = 2;
    static final int VALUE = 3;
    static final int AFTER_VALUE = 4;
    static final int AFTER_COMMA = 5;

    /** An object; {@code schema} is {@link Schema.Obj} or {@link Schema.Map_}; {@code seen} is a bit set of declared keys. */
    record ObjF(Schema schema, int phase, long seen, Schema pending, int ws) implements Frame { }

    record ArrF(Schema items, int phase, int ws) implements Frame { }

    /**
     * A string after its opening quote. {@code esc}: 0 none, 1 after a backslash, 10+n while n hex
     * digits of a backslash-u escape remain. {@code utf8} continuation bytes remain, the next within [lo, hi].
     */
    record StrF(int esc, int utf8, int lo, int hi) implements Frame { }

    /** Matching one of several literal byte strings (enum values, true/false/null, declared keys). */
    record LitF(List<byte[]> candidates, int pos) implements Frame { }

    /** Number phases; accepting: ZERO, INT, FRAC, EXP. */
    static final int N_MINUS = 1;
    static final int N_ZERO = 2;
    static final int N_INT = 3;
    static final int N_DOT = 4;
    static final int N_FRAC = 5;
    static final int N_E = 6;
    static final int N_ESIGN = 7;
    static final int N_EXP = 8;

    record NumF(boolean integer, int phase) implements Frame {
        boolean accepting() {
            return phase == N_ZERO || phase == N_INT || phase == N_FRAC || phase == N_EXP;
        }
    }

    /** The initial state for a document of {@code schema}. */
    static List<Stack> start(Schema schema) {
        return List.of(new Stack(new ValueF(schema, 0), null));
    }

    /** Successor states after byte {@code b} (0..255); empty when {@code b} is not allowed. */
    static List<Stack> feed(List<Stack> states, int b) {
        if (states.size() == 1) {
            List<Stack> out = new ArrayList<>(1);
            feed(states.get(0), b, out);
            return out;
        }
        List<Stack> out = new ArrayList<>(states.size());
        for (Stack s : states) {
            feed(s, b, out);
        }
        return out;
    }

    /** Feeds every byte of {@code bytes}; empty when any is not allowed. */
    static List<Stack> feed(List<Stack> states, byte[] bytes) {
        List<Stack> cur = states;
        for (int i = 0; i < bytes.length && !cur.isEmpty(); i++) {
            cur = feed(cur, bytes[i] & 0xFF);
        }
        return cur;
    }

    /** True when the text so far is a complete document (end of sequence allowed). */
    static boolean accepting(List<Stack> states) {
        for (Stack s : states) {
            if (s == Stack.DONE || (s.rest == null && s.top instanceof NumF n && n.accepting())) {
                return true;
            }
        }
        return false;
    }

    /** True when the document is complete and nothing more may follow. */
    static boolean finished(List<Stack> states) {
        for (Stack s : states) {
            if (s != Stack.DONE) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWs(int b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    private static void feed(Stack s, int b, List<Stack> out) {
        Frame f = s.top;
        if (f == null) {
            return; // DONE accepts nothing
        }
        if (f instanceof ValueF v) {
            if (isWs(b)) {
                if (v.ws() < MAX_WHITESPACE) {
                    out.add(new Stack(new ValueF(v.schema(), v.ws() + 1), s.rest));
                }
            } else {
                startValue(v.schema(), b, s.rest, out);
            }
        } else if (f instanceof StrF str) {
            feedString(str, b, s.rest, out);
        } else if (f instanceof NumF n) {
            feedNumber(n, b, s.rest, out);
        } else if (f instanceof LitF lit) {
            feedLiteral(lit, b, s.rest, out);
        } else if (f instanceof ObjF o) {
            feedObject(o, b, s.rest, out);
        } else if (f instanceof ArrF a) {
            feedArray(a, b, s.rest, out);
        } else {
            throw new IllegalStateException("unknown frame " + f);
        }
    }

    private static void startValue(Schema schema, int b, Stack rest, List<Stack> out) {
        if (schema instanceof Schema.AnyOf any) {
            for (Schema alt : any.alternatives()) {
                startValue(alt, b, rest, out);
            }
        } else if (schema instanceof Schema.Any) {
            switch (b) {
                case '{' -> out.add(new Stack(new ObjF(new Schema.Map_(schema), OPEN, 0, null, 0), rest));
                case '[' -> out.add(new Stack(new ArrF(schema, OPEN, 0), rest));
                case '"' -> out.add(new Stack(new StrF(0, 0, 0, 0), rest));
                case 't', 'f', 'n' -> startLiteral(List.of("true", "false", "null"), b, rest, out);
                default -> startNumber(false, b, rest, out);
            }
        } else if (schema instanceof Schema.Obj || schema instanceof Schema.Map_) {
            if (b == '{') {
                out.add(new Stack(new ObjF(schema, OPEN, 0, null, 0), rest));
            }
        } else if (schema instanceof Schema.Arr a) {
            if (b == '[') {
                out.add(new Stack(new ArrF(a.items(), OPEN, 0), rest));
            }
        } else if (schema instanceof Schema.Str) {
            if (b == '"') {
                out.add(new Stack(new StrF(0, 0, 0, 0), rest));
            }
        } else if (schema instanceof Schema.Num n) {
            startNumber(n.integer(), b, rest, out);
        } else if (schema instanceof Schema.Bool) {
            startLiteral(List.of("true", "false"), b, rest, out);
        } else if (schema instanceof Schema.Null) {
            startLiteral(List.of("null"), b, rest, out);
        } else if (schema instanceof Schema.Enum e) {
            startLiteral(e.jsonTexts(), b, rest, out);
        } else {
            throw new IllegalStateException("unknown schema " + schema);
        }
    }

    private static void startLiteral(List<String> texts, int b, Stack rest, List<Stack> out) {
        List<byte[]> candidates = new ArrayList<>(texts.size());
        for (String t : texts) {
            candidates.add(t.getBytes(StandardCharsets.UTF_8));
        }
        feedLiteral(new LitF(candidates, 0), b, rest, out);
    }

    private static void feedLiteral(LitF lit, int b, Stack rest, List<Stack> out) {
        int pos = lit.pos();
        List<byte[]> keep = new ArrayList<>(lit.candidates().size());
        byte[] complete = null;
        for (byte[] c : lit.candidates()) {
            if (c.length > pos && (c[pos] & 0xFF) == b) {
                if (c.length == pos + 1) {
                    complete = c;
                } else {
                    keep.add(c);
                }
            }
        }
        if (!keep.isEmpty()) {
            out.add(new Stack(new LitF(keep, pos + 1), rest));
        }
        if (complete != null) {
            complete(rest, complete, out);
        }
    }

    private static void startNumber(boolean integer, int b, Stack rest, List<Stack> out) {
        feedNumber(new NumF(integer, 0), b, rest, out);
    }

    private static void feedNumber(NumF n, int b, Stack rest, List<Stack> out) {
        boolean digit = b >= '0' && b <= '9';
        int next = -1;
        switch (n.phase()) {
            case 0 -> next = b == '-' ? N_MINUS : b == '0' ? N_ZERO : digit ? N_INT : -1;
            case N_MINUS -> next = b == '0' ? N_ZERO : digit ? N_INT : -1;
            case N_ZERO -> next = fracOrExp(n, b);
            case N_INT -> next = digit ? N_INT : fracOrExp(n, b);
            case N_DOT, N_FRAC -> next = digit ? N_FRAC : n.phase() == N_FRAC && (b == 'e' || b == 'E') ? N_E : -1;
            case N_E -> next = b == '+' || b == '-' ? N_ESIGN : digit ? N_EXP : -1;
            case N_ESIGN, N_EXP -> next = digit ? N_EXP : -1;
            default -> throw new IllegalStateException("number phase " + n.phase());
        }
        if (next >= 0) {
            out.add(new Stack(new NumF(n.integer(), next), rest));
        } else if (n.accepting() && rest != null) {
            // The byte ends the number; it belongs to the enclosing structure.
            List<Stack> parent = new ArrayList<>(1);
            complete(rest, null, parent);
            for (Stack p : parent) {
                feed(p, b, out);
            }
        }
    }

    private static int fracOrExp(NumF n, int b) {
        if (n.integer()) {
            return -1;
        }
        return b == '.' ? N_DOT : b == 'e' || b == 'E' ? N_E : -1;
    }

    private static void feedString(StrF s, int b, Stack rest, List<Stack> out) {
        if (s.esc() == 1) {
            switch (b) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> out.add(new Stack(new StrF(0, 0, 0, 0), rest));
                case 'u' -> out.add(new Stack(new StrF(14, 0, 0, 0), rest));
                default -> { }
            }
            return;
        }
        if (s.esc() >= 11) {
            boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
            // No surrogate escapes (\\uD800-\\uDFFF): a lone one would not be valid text.
            boolean surrogate = s.esc() == 14 && (b == 'd' || b == 'D');
            if (hex && !surrogate) {
                int left = s.esc() - 11;
                out.add(new Stack(new StrF(left == 0 ? 0 : 10 + left, 0, 0, 0), rest));
            }
            return;
        }
        if (s.utf8() > 0) {
            if (b >= s.lo() && b <= s.hi()) {
                out.add(new Stack(new StrF(0, s.utf8() - 1, 0x80, 0xBF), rest));
            }
            return;
        }
        if (b == '"') {
            complete(rest, null, out);
        } else if (b == '\\') {
            out.add(new Stack(new StrF(1, 0, 0, 0), rest));
        } else if (b >= 0x20 && b < 0x80) {
            out.add(new Stack(s, rest));
        } else if (b >= 0xC2 && b <= 0xDF) {
            out.add(new Stack(new StrF(0, 1, 0x80, 0xBF), rest));
        } else if (b == 0xE0) {
            out.add(new Stack(new StrF(0, 2, 0xA0, 0xBF), rest));
        } else if (b == 0xED) {
            out.add(new Stack(new StrF(0, 2, 0x80, 0x9F), rest));
        } else if (b >= 0xE1 && b <= 0xEF) {
            out.add(new Stack(new StrF(0, 2, 0x80, 0xBF), rest));
        } else if (b == 0xF0) {
            out.add(new Stack(new StrF(0, 3, 0x90, 0xBF), rest));
        } else if (b >= 0xF1 && b <= 0xF3) {
            out.add(new Stack(new StrF(0, 3, 0x80, 0xBF), rest));
        } else if (b == 0xF4) {
            out.add(new Stack(new StrF(0, 3, 0x80, 0x8F), rest));
        }
    }

    private static void feedObject(ObjF o, int b, Stack rest, List<Stack> out) {
        int phase = o.phase();
        if (isWs(b) && phase != KEY && phase != VALUE) {
            if (o.ws() < MAX_WHITESPACE) {
                out.add(new Stack(new ObjF(o.schema(), phase, o.seen(), o.pending(), o.ws() + 1), rest));
            }
            return;
        }
        ObjF reset = new ObjF(o.schema(), phase, o.seen(), o.pending(), 0);
        switch (phase) {
            case OPEN, AFTER_COMMA -> {
                if (b == '"') {
                    Stack self = new Stack(new ObjF(o.schema(), KEY, o.seen(), null, 0), rest);
                    if (o.schema() instanceof Schema.Obj obj) {
                        List<byte[]> keys = new ArrayList<>();
                        int i = 0;
                        for (String name : obj.properties().keySet()) {
                            if ((o.seen() & (1L << i)) == 0) {
                                keys.add(JsonConstraint.quote(name).getBytes(StandardCharsets.UTF_8));
                            }
                            i++;
                        }
                        if (!keys.isEmpty()) {
                            out.add(new Stack(new LitF(keys, 1), self));
                        }
                    } else {
                        out.add(new Stack(new StrF(0, 0, 0, 0), self));
                    }
                } else if (b == '}' && phase == OPEN && missingRequired(reset) == null) {
                    complete(rest, null, out);
                }
            }
            case COLON -> {
                if (b == ':') {
                    Stack self = new Stack(new ObjF(o.schema(), VALUE, o.seen(), null, 0), rest);
                    out.add(new Stack(new ValueF(o.pending(), 0), self));
                }
            }
            case AFTER_VALUE -> {
                if (b == ',' && nextKey(reset) != null) {
                    out.add(new Stack(new ObjF(o.schema(), AFTER_COMMA, o.seen(), null, 0), rest));
                } else if (b == '}' && missingRequired(reset) == null) {
                    complete(rest, null, out);
                }
            }
            default -> { }
        }
    }

    private static void feedArray(ArrF a, int b, Stack rest, List<Stack> out) {
        int phase = a.phase();
        if (isWs(b)) {
            if (a.ws() < MAX_WHITESPACE) {
                out.add(new Stack(new ArrF(a.items(), phase, a.ws() + 1), rest));
            }
            return;
        }
        switch (phase) {
            case OPEN, AFTER_COMMA -> {
                if (b == ']' && phase == OPEN) {
                    complete(rest, null, out);
                } else {
                    startValue(a.items(), b, new Stack(new ArrF(a.items(), VALUE, 0), rest), out);
                }
            }
            case AFTER_VALUE -> {
                if (b == ',') {
                    out.add(new Stack(new ArrF(a.items(), AFTER_COMMA, 0), rest));
                } else if (b == ']') {
                    complete(rest, null, out);
                }
            }
            default -> { }
        }
    }

    /** Pops a finished value (or key, with its literal bytes) into the enclosing frame. */
    private static void complete(Stack rest, byte[] literal, List<Stack> out) {
        if (rest == null) {
            out.add(Stack.DONE);
            return;
        }
        Frame parent = rest.top;
        if (parent instanceof ObjF o) {
            if (o.phase() == KEY) {
                Schema valueSchema;
                long seen = o.seen();
                if (o.schema() instanceof Schema.Obj obj) {
                    String key = JsonConstraint.unquote(new String(literal, StandardCharsets.UTF_8));
                    int index = obj.indexOf(key);
                    valueSchema = obj.properties().get(key);
                    seen |= 1L << index;
                } else {
                    valueSchema = ((Schema.Map_) o.schema()).values();
                }
                out.add(new Stack(new ObjF(o.schema(), COLON, seen, valueSchema, 0), rest.rest));
            } else {
                out.add(new Stack(new ObjF(o.schema(), AFTER_VALUE, o.seen(), null, 0), rest.rest));
            }
        } else if (parent instanceof ArrF a) {
            out.add(new Stack(new ArrF(a.items(), AFTER_VALUE, 0), rest.rest));
        } else {
            throw new IllegalStateException("a value cannot complete into " + parent);
        }
    }

    /** The first required key not yet written, or null. */
    private static String missingRequired(ObjF o) {
        if (!(o.schema() instanceof Schema.Obj obj)) {
            return null;
        }
        for (String r : obj.required()) {
            if ((o.seen() & (1L << obj.indexOf(r))) == 0) {
                return r;
            }
        }
        return null;
    }

    /** A key that may still be written (required ones first), or null when none is left. */
    private static String nextKey(ObjF o) {
        if (!(o.schema() instanceof Schema.Obj obj)) {
            return "";
        }
        String missing = missingRequired(o);
        if (missing != null) {
            return missing;
        }
        int i = 0;
        for (String name : obj.properties().keySet()) {
            if ((o.seen() & (1L << i)) == 0) {
                return name;
            }
            i++;
        }
        return null;
    }

    /**
     * The shortest bytes that finish the document from {@code states}; empty when it is already
     * complete. Used to force closing when the token budget runs out.
     */
    static byte[] completion(List<Stack> states) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        List<Stack> cur = states;
        for (int guard = 0; !accepting(cur); guard++) {
            if (guard > 100_000 || cur.isEmpty()) {
                throw new IllegalStateException("cannot find a completion of the JSON document (schema too deep?)");
            }
            byte[] step = closer(cur.get(0));
            List<Stack> next = feed(cur, step);
            if (next.isEmpty()) {
                throw new IllegalStateException("internal: closing bytes '" + new String(step, StandardCharsets.UTF_8)
                        + "' rejected");
            }
            out.writeBytes(step);
            cur = next;
        }
        return out.toByteArray();
    }

    /** Bytes that move the stack one frame closer to completion. */
    private static byte[] closer(Stack s) {
        Frame f = s.top;
        String text;
        if (f instanceof ValueF v) {
            text = minimal(v.schema());
        } else if (f instanceof StrF str) {
            if (str.esc() == 1) {
                text = "n";
            } else if (str.esc() >= 11) {
                text = "0".repeat(str.esc() - 10);
            } else if (str.utf8() > 0) {
                byte[] bytes = new byte[str.utf8()];
                java.util.Arrays.fill(bytes, (byte) 0x80);
                bytes[0] = (byte) str.lo();
                return bytes;
            } else {
                text = "\"";
            }
        } else if (f instanceof LitF lit) {
            byte[] best = null;
            for (byte[] c : lit.candidates()) {
                if (best == null || c.length < best.length) {
                    best = c;
                }
            }
            return java.util.Arrays.copyOfRange(best, lit.pos(), best.length);
        } else if (f instanceof NumF n) {
            if (n.accepting()) {
                List<Stack> parent = new ArrayList<>(1);
                complete(s.rest, null, parent);
                return closer(parent.get(0));
            }
            text = "0";
        } else if (f instanceof ObjF o) {
            switch (o.phase()) {
                case COLON -> text = ":";
                case AFTER_COMMA -> {
                    String key = nextKey(o);
                    text = JsonConstraint.quote(key) + ":";
                }
                default -> {
                    String missing = missingRequired(o);
                    text = missing == null ? "}" : (o.phase() == OPEN ? "" : ",") + JsonConstraint.quote(missing) + ":";
                }
            }
        } else if (f instanceof ArrF a) {
            text = a.phase() == AFTER_COMMA ? minimal(a.items()) : "]";
        } else {
            throw new IllegalStateException("no closer for " + f);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The shortest valid JSON text for {@code schema}. */
    static String minimal(Schema schema) {
        if (schema instanceof Schema.Obj obj) {
            StringBuilder sb = new StringBuilder("{");
            for (String r : obj.required()) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(JsonConstraint.quote(r)).append(':').append(minimal(obj.properties().get(r)));
            }
            return sb.append('}').toString();
        }
        if (schema instanceof Schema.Map_) {
            return "{}";
        }
        if (schema instanceof Schema.Arr) {
            return "[]";
        }
        if (schema instanceof Schema.Str) {
            return "\"\"";
        }
        if (schema instanceof Schema.Num || schema instanceof Schema.Any) {
            return "0";
        }
        if (schema instanceof Schema.Bool) {
            return "true";
        }
        if (schema instanceof Schema.Null) {
            return "null";
        }
        String best = null;
        List<String> options = new ArrayList<>();
        if (schema instanceof Schema.Enum e) {
            options.addAll(e.jsonTexts());
        } else if (schema instanceof Schema.AnyOf any) {
            any.alternatives().forEach(a -> options.add(minimal(a)));
        } else {
            throw new IllegalStateException("unknown schema " + schema);
        }
        for (String o : options) {
            if (best == null || o.length() < best.length()) {
                best = o;
            }
        }
        return best;
    }
}
