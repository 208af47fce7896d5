import { NotFound } from './errors.js';

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export function parsePage(query: Record<string, unknown>): { page: number; pageSize: number } {
  const page = query.page === undefined ? 1 : Number(query.page);
  if (!Number.isInteger(page) || page < 1) throw new NotFound('Invalid page.');
  const rawSize = Number(query.page_size);
  const pageSize = Number.isInteger(rawSize) && rawSize > 0 ? Math.min(rawSize, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return { page, pageSize };
}

/**
 * authentik's pagination object (Django's Paginator: an empty list still has one page). `pageLength` is the page's
 * length before a view narrowed it (default: the results').
 */
export function paginate<T>(results: T[], count: number, page: number, pageSize: number, pageLength = results.length) {
  const totalPages = Math.max(1, Math.ceil(count / pageSize));
  if (page > totalPages) throw new NotFound('Invalid page.');
  const startIndex = count === 0 ? 0 : (page - 1) * pageSize + 1;
  return {
    pagination: {
      next: page < totalPages ? page + 1 : 0,
      previous: page > 1 ? page - 1 : 0,
      count,
      current: page,
      total_pages: totalPages,
      start_index: startIndex,
      end_index: count === 0 ? 0 : startIndex + pageLength - 1,
    },
    results,
  };
}
