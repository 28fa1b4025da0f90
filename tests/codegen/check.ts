// What a front end leans on, compiled with tsc --strict beside the generated types: a
// typed document, its variables and result, and a body block's typed fields. A heading
// level the enum gains, or a field that goes, fails the compile here first.
import { useFragment } from "./generated/fragment-masking";
import {
  BodyBlockFragmentDoc,
  PageBodyDocument,
  type HeadingLevel,
  type PageBodyQuery,
  type PageBodyQueryVariables,
} from "./generated/graphql";

export const pageBody = PageBodyDocument;
export const aboutPage: PageBodyQueryVariables = { urlPath: "/about/" };

const HEADING_TAGS: Record<HeadingLevel, "h2" | "h3" | "h4"> = { H2: "h2", H3: "h3", H4: "h4" };

export function headingTags(result: PageBodyQuery): string[] {
  const page = result.page;
  if (!page || !("body" in page) || !page.body) {
    return [];
  }
  return page.body.flatMap((masked) => {
    if (!masked) {
      return [];
    }
    const block = useFragment(BodyBlockFragmentDoc, masked);
    return "headingLevel" in block ? [HEADING_TAGS[block.headingLevel]] : [];
  });
}
