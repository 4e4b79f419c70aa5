package dev.trellis.retrieval.lucene;

import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Translates langchain4j metadata {@link Filter}s into Lucene queries over the fields written by
 * {@link MetadataFields}, with langchain4j's semantics: numbers compare by value whatever their
 * Java type (an int 5 equals a long 5 and a double 5.0), strings compare lexicographically, and
 * "not equal" / "not in" / {@link Not} also match documents that lack the key.
 */
public final class FilterQueries {

    private enum Bound { GT, GTE, LT, LTE }

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private FilterQueries() {
    }

    /** The Lucene query matching exactly the documents whose metadata passes {@code filter}. */
    public static Query toQuery(Filter filter) {
        if (filter instanceof IsEqualTo f) {
            return equalTo(f.key(), f.comparisonValue());
        } else if (filter instanceof IsNotEqualTo f) {
            return not(equalTo(f.key(), f.comparisonValue()));
        } else if (filter instanceof IsGreaterThan f) {
            return compare(f.key(), f.comparisonValue(), Bound.GT);
        } else if (filter instanceof IsGreaterThanOrEqualTo f) {
            return compare(f.key(), f.comparisonValue(), Bound.GTE);
        } else if (filter instanceof IsLessThan f) {
            return compare(f.key(), f.comparisonValue(), Bound.LT);
        } else if (filter instanceof IsLessThanOrEqualTo f) {
            return compare(f.key(), f.comparisonValue(), Bound.LTE);
        } else if (filter instanceof IsIn f) {
            return in(f.key(), f.comparisonValues());
        } else if (filter instanceof IsNotIn f) {
            return not(in(f.key(), f.comparisonValues()));
        } else if (filter instanceof ContainsString f) {
            return new WildcardQuery(new Term(MetadataFields.STRING_PREFIX + f.key(),
                    "*" + escapeWildcard(f.comparisonValue()) + "*"));
        } else if (filter instanceof And f) {
            return new BooleanQuery.Builder()
                    .add(toQuery(f.left()), Occur.FILTER)
                    .add(toQuery(f.right()), Occur.FILTER)
                    .build();
        } else if (filter instanceof Or f) {
            return new BooleanQuery.Builder()
                    .add(toQuery(f.left()), Occur.SHOULD)
                    .add(toQuery(f.right()), Occur.SHOULD)
                    .setMinimumNumberShouldMatch(1)
                    .build();
        } else if (filter instanceof Not f) {
            return not(toQuery(f.expression()));
        }
        throw new UnsupportedOperationException("filter " + filter + " of type " + filter.getClass().getName()
                + " has no Lucene translation; use langchain4j's comparison (IsEqualTo, IsIn, IsGreaterThan...,"
                + " ContainsString) and logical (And, Or, Not) filters");
    }

    private static Query not(Query query) {
        return new BooleanQuery.Builder()
                .add(new MatchAllDocsQuery(), Occur.FILTER)
                .add(query, Occur.MUST_NOT)
                .build();
    }

    private static Query equalTo(String key, Object value) {
        if (value instanceof String s) {
            return new TermQuery(new Term(MetadataFields.STRING_PREFIX + key, s));
        } else if (value instanceof UUID u) {
            return new TermQuery(new Term(MetadataFields.STRING_PREFIX + key, u.toString()));
        } else if (value instanceof Number n) {
            BooleanQuery.Builder either = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
            Long exact = exactLong(MetadataFields.bigDecimal(n));
            if (exact != null) {
                either.add(LongPoint.newExactQuery(MetadataFields.LONG_PREFIX + key, exact), Occur.SHOULD);
            }
            either.add(DoublePoint.newExactQuery(MetadataFields.DOUBLE_PREFIX + key, MetadataFields.decimal(n)), Occur.SHOULD);
            return either.build();
        }
        throw unsupportedValue(key, value);
    }

    private static Query in(String key, Collection<?> values) {
        List<BytesRef> terms = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        List<Double> doubles = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof String || value instanceof UUID) {
                terms.add(new BytesRef(value.toString()));
            } else if (value instanceof Number n) {
                Long exact = exactLong(MetadataFields.bigDecimal(n));
                if (exact != null) {
                    longs.add(exact);
                }
                doubles.add(MetadataFields.decimal(n));
            } else {
                throw unsupportedValue(key, value);
            }
        }
        BooleanQuery.Builder any = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        if (!terms.isEmpty()) {
            any.add(new TermInSetQuery(MetadataFields.STRING_PREFIX + key, terms), Occur.SHOULD);
        }
        if (!longs.isEmpty()) {
            any.add(LongPoint.newSetQuery(MetadataFields.LONG_PREFIX + key, longs), Occur.SHOULD);
        }
        if (!doubles.isEmpty()) {
            any.add(DoublePoint.newSetQuery(MetadataFields.DOUBLE_PREFIX + key, doubles), Occur.SHOULD);
        }
        return terms.isEmpty() && doubles.isEmpty() ? new MatchNoDocsQuery("empty IsIn on " + key) : any.build();
    }

    private static Query compare(String key, Object value, Bound bound) {
        if (value instanceof String s) {
            String field = MetadataFields.STRING_PREFIX + key;
            return switch (bound) {
                case GT -> TermRangeQuery.newStringRange(field, s, null, false, true);
                case GTE -> TermRangeQuery.newStringRange(field, s, null, true, true);
                case LT -> TermRangeQuery.newStringRange(field, null, s, true, false);
                case LTE -> TermRangeQuery.newStringRange(field, null, s, true, true);
            };
        } else if (value instanceof Number n) {
            return new BooleanQuery.Builder().setMinimumNumberShouldMatch(1)
                    .add(longRange(key, MetadataFields.bigDecimal(n), bound), Occur.SHOULD)
                    .add(doubleRange(key, MetadataFields.decimal(n), bound), Occur.SHOULD)
                    .build();
        } else if (value instanceof UUID) {
            throw new IllegalArgumentException("filter on metadata key '" + key + "' orders UUID values, which the"
                    + " Lucene store does not support; compare UUIDs with IsEqualTo/IsIn, or store them as strings");
        }
        throw unsupportedValue(key, value);
    }

    /** Integer-valued metadata satisfies "x op b" exactly when x lies in these whole-number bounds. */
    private static Query longRange(String key, BigDecimal b, Bound bound) {
        String field = MetadataFields.LONG_PREFIX + key;
        BigDecimal limit = switch (bound) {
            case GT -> b.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
            case GTE -> b.setScale(0, RoundingMode.CEILING);
            case LT -> b.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
            case LTE -> b.setScale(0, RoundingMode.FLOOR);
        };
        boolean lower = bound == Bound.GT || bound == Bound.GTE;
        if (lower) {
            if (limit.compareTo(LONG_MAX) > 0) {
                return new MatchNoDocsQuery("bound above every long");
            }
            return LongPoint.newRangeQuery(field, limit.max(LONG_MIN).longValueExact(), Long.MAX_VALUE);
        }
        if (limit.compareTo(LONG_MIN) < 0) {
            return new MatchNoDocsQuery("bound below every long");
        }
        return LongPoint.newRangeQuery(field, Long.MIN_VALUE, limit.min(LONG_MAX).longValueExact());
    }

    private static Query doubleRange(String key, double d, Bound bound) {
        String field = MetadataFields.DOUBLE_PREFIX + key;
        return switch (bound) {
            case GT -> DoublePoint.newRangeQuery(field, Math.nextUp(d), Double.POSITIVE_INFINITY);
            case GTE -> DoublePoint.newRangeQuery(field, d, Double.POSITIVE_INFINITY);
            case LT -> DoublePoint.newRangeQuery(field, Double.NEGATIVE_INFINITY, Math.nextDown(d));
            case LTE -> DoublePoint.newRangeQuery(field, Double.NEGATIVE_INFINITY, d);
        };
    }

    private static Long exactLong(BigDecimal value) {
        try {
            return value.longValueExact();
        } catch (ArithmeticException notAWholeLong) {
            return null; // no int/long metadata can equal it
        }
    }

    private static String escapeWildcard(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static IllegalArgumentException unsupportedValue(String key, Object value) {
        return new IllegalArgumentException("filter on metadata key '" + key + "' compares with " + value
                + (value == null ? "" : " of type " + value.getClass().getName())
                + ", but metadata holds only String, UUID, Integer, Long, Float and Double values;"
                + " convert the value to one of those");
    }
}
