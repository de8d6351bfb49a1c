import type { ReactNode } from 'react';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@hubspot/ui-extensions';

/**
 * The pages' tables of figures: a header row and one row per item, each cell what `cells` gives. The
 * sortable owner table and the exceptions list, which carry controls, build their own.
 */
export function FiguresTable<Row>(props: {
  testId: string;
  headers: readonly string[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  cells: (row: Row) => readonly ReactNode[];
}) {
  return (
    <Table testId={props.testId}>
      <TableHead>
        <TableRow>
          {props.headers.map((header, index) => (
            <TableHeader key={index}>{header}</TableHeader>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.rows.map((row) => (
          <TableRow key={props.rowKey(row)}>
            {props.cells(row).map((cell, index) => (
              <TableCell key={index}>{cell}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
