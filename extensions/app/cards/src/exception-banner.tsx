/**
 * The deal's open exceptions (DESIGN.md §7): it moved on with its SOP unmet. The server judged the move
 * and lists what was open; the card only shows it, newest first.
 */
import { Alert, Flex, List, Text } from '@hubspot/ui-extensions';
import type { DealExceptionView } from './guidance-response.schema';

export interface ExceptionBannerProps {
  exceptions: readonly DealExceptionView[];
}

export function ExceptionBanner({ exceptions }: ExceptionBannerProps) {
  const open = exceptions.filter((exception) => exception.status === 'open');
  if (open.length === 0) return null;
  return (
    <Flex direction="column" gap="xs">
      {open.map((exception) => (
        <Alert
          key={exception.id}
          testId="exception-banner"
          variant="danger"
          title={`Moved on from ${exception.fromStage} with the SOP unmet`}
        >
          <Text>{`Moved to ${exception.toStage} on ${exception.movedAt.slice(0, 10)} with ${describeCount(exception.openItems.length)} open:`}</Text>
          <List variant="unordered">
            {exception.openItems.map((item) => (
              <Text key={`${item.stepId ?? ''}/${item.kind}/${item.id}`}>
                {item.detail ? `${item.title} (${item.detail})` : item.title}
              </Text>
            ))}
          </List>
        </Alert>
      ))}
    </Flex>
  );
}

function describeCount(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}
