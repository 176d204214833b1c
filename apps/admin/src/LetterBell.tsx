import { chinaDate } from "@minsheng/domain/calendar";
import { Badge, Button, List, Popover, Tag } from "antd";
import { useNavigate } from "react-router";
import type { Role } from "./api";
import { daysLeft, useLetters } from "./supervision";

const answers = (r: Role) => r === "reporter" || r.startsWith("staff_");

/**
 * 函件提醒: new letters to sign, and deadlines near or past, for whoever answers letters (units'
 * accounts, task forces). Read every few minutes; a click opens the letters to answer.
 */
export default function LetterBell({ role }: { role: Role }) {
  const navigate = useNavigate();
  const letters = useLetters({ to: "me", state: "waiting" }, { enabled: answers(role), refetchInterval: 5 * 60_000 });
  if (!answers(role)) return null;
  const today = chinaDate(Date.now());
  const notes = (letters.data ?? [])
    .map((l) => {
      const left = daysLeft(l.dueOn, today);
      const text = l.state === "issued" ? "新函件待签收" : l.overdue ? `已逾期 ${-left} 天` : left <= 3 && l.state !== "answered" ? `${left} 天后到期` : null;
      return text ? { id: l.id, title: `${l.number ?? ""} ${l.subject}`, text, urgent: l.overdue } : null;
    })
    .filter((x) => x !== null);
  return (
    <Popover
      title="函件提醒"
      content={
        notes.length === 0 ? (
          "暂无需要处理的函件"
        ) : (
          <List
            size="small"
            style={{ width: 320 }}
            dataSource={notes}
            renderItem={(n) => (
              <List.Item onClick={() => navigate("/letters")} style={{ cursor: "pointer" }}>
                <span>
                  <Tag color={n.urgent ? "red" : "orange"}>{n.text}</Tag>
                  {n.title}
                </span>
              </List.Item>
            )}
          />
        )
      }
    >
      <Badge count={notes.length} size="small" data-testid="letter-bell">
        <Button onClick={() => navigate("/letters")}>函件</Button>
      </Badge>
    </Popover>
  );
}
