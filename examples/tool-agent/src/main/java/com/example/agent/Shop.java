package com.example.agent;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The tool: a langchain4j {@code @Tool} method on an object of your own. */
public class Shop {

    private final Map<String, Integer> stock = new LinkedHashMap<>();

    public Shop() {
        stock.put("queen size sheet set", 12);
        stock.put("king size duvet", 3);
        stock.put("wool hiking socks", 40);
        stock.put("summit rain jacket", 0);
        stock.put("wide brim sun hat", 7);
    }

    @Tool("Returns how many of a product are in stock, given the product's name")
    public int stock(@P("the product's name, e.g. 'wool hiking socks'") String product) {
        Integer count = stock.get(product.strip().toLowerCase(Locale.ROOT));
        if (count == null) {
            throw new IllegalArgumentException("no product named '" + product + "'; the shop sells " + stock.keySet());
        }
        return count;
    }

    /** The products the shop sells. */
    public List<String> products() {
        return List.copyOf(stock.keySet());
    }
}
