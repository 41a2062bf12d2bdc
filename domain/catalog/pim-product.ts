/** A catalogue product as the PIM holds it, assembled from products, variants, images and store attributes. */
export interface PimProduct {
  id: number;
  handle: string;
  title: string;
  descriptionHtml: string | null;
  vendor: string | null;
  subDepartment: { code: string; name: string } | null;
  tags: string[];
  options: string[];
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  variants: {
    sku: string;
    barcode: string | null;
    optionValues: string[];
    price: string;
    compareAtPrice: string | null;
    weight: string | null;
    weightUnit: string;
  }[];
  images: { url: string; alt: string | null }[];
  storeAttributes: { storeCode: string; key: string; value: string }[];
}

export interface ValidationProblem {
  code: string;
  message: string;
}
