package io.zonemover.cli;

import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A borderless, kubectl-style table: upper-case headers, left-aligned columns. */
public final class Table {

    private final String[] headers;
    private final List<Object[]> rows = new ArrayList<>();

    private Table(String[] headers) {
        this.headers = headers;
    }

    public static Table of(String... headers) {
        return new Table(headers);
    }

    public Table row(Object... cells) {
        Object[] row = new Object[headers.length];
        for (int i = 0; i < row.length; i++) {
            Object cell = i < cells.length ? cells[i] : null;
            row[i] = cell == null ? "-" : String.valueOf(cell);
        }
        rows.add(row);
        return this;
    }

    public String render() {
        Column[] columns = new Column[headers.length];
        for (int i = 0; i < headers.length; i++) {
            columns[i] = new Column().header(headers[i]).headerAlign(HorizontalAlign.LEFT)
                    .dataAlign(HorizontalAlign.LEFT);
        }
        return AsciiTable.getTable(AsciiTable.NO_BORDERS, columns, rows.toArray(new Object[0][]));
    }

    public void print(PrintWriter out) {
        render().lines().map(String::stripTrailing).forEach(line -> out.println(line.startsWith(" ") ? line.substring(1) : line));
    }
}
