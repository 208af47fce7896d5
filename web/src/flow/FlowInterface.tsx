import { FlowExecutor } from './FlowExecutor';

export default function FlowInterface({ slug }: { slug: string }) {
  return <FlowExecutor slug={slug} />;
}
